//! `factsheet check`: every kind of rule-file problem is reported with file, line
//! and rule id, and the rules' examples run as part of the tests.

mod common;

use common::*;

/// A rules folder with the shared patterns and one extra file.
fn rules_with(name: &str, body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_root().join("rules/patterns.yaml"),
        dir.path().join("patterns.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join(name), body).unwrap();
    dir
}

fn check(dir: &std::path::Path) -> (i32, String) {
    let o = run(&repo_root(), &["check", "--rules", dir.to_str().unwrap()]);
    (o.status.code().unwrap(), stdout(&o) + &stderr(&o))
}

const GOOD_RULE: &str = r#"
field: widget
rules:
  - id: widget.made
    pattern: '制造(?P<amount>{{count}})'
    attributes:
      amount: {capture: amount, normaliser: count}
    examples:
      - sentence: 工厂将制造500个零件。
        attributes: {amount: {value: 500, unit: 个}}
      - sentence: 工厂停工。
        match: false
"#;

#[test]
fn the_project_rules_pass_their_examples() {
    let set = factsheet::rules::load(&repo_root().join("rules")).unwrap();
    let reports = factsheet::review::examples::run_examples(
        &set,
        &factsheet::segment::Simplifier::new().unwrap(),
    );
    let failing: Vec<String> = reports
        .iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| format!("{} {}: {:?}", r.id, r.location, r.failures))
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
    // At least one positive and one negative example per rule is enforced by check.
    assert!(reports.iter().all(|r| r.examples >= 2));
    let fields: Vec<&str> = set.fields.iter().map(|f| f.name.as_str()).collect();
    for f in [
        "principle",
        "proposal",
        "pledge",
        "mechanism",
        "figure",
        "document",
    ] {
        assert!(fields.contains(&f), "{f} missing");
    }
}

#[test]
fn check_passes_on_the_project_and_a_good_file() {
    let o = run(&repo_root(), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("all pass"));
    let dir = rules_with("widgets.yaml", GOOD_RULE);
    let (code, out) = check(dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok    widget.made"), "{out}");
}

fn expect_problem(body: &str, line: usize, rule: Option<&str>, message: &str) {
    let dir = rules_with("bad.yaml", body);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    let want = match rule {
        Some(r) => format!("bad.yaml:{line}: rule `{r}`: "),
        None => format!("bad.yaml:{line}: "),
    };
    assert!(
        out.lines()
            .any(|l| l.contains(&want) && l.contains(message)),
        "wanted {want}…{message} in:\n{out}"
    );
}

#[test]
fn invalid_yaml() {
    expect_problem(
        "field: widget\nrules:\n\t- id: a\n",
        3,
        None,
        "invalid rule file",
    );
}

#[test]
fn unknown_keys_are_errors_not_ignored() {
    expect_problem(
        &GOOD_RULE.replace("    pattern:", "    patern: x\n    pattern:"),
        5,
        None,
        "unknown field `patern`",
    );
}

#[test]
fn duplicate_ids() {
    let dir = rules_with("bad.yaml", GOOD_RULE);
    std::fs::write(
        dir.path().join("more.yaml"),
        GOOD_RULE.replace("field: widget", "field: gadget"),
    )
    .unwrap();
    let (code, out) = check(dir.path());
    assert_eq!(code, 1);
    assert!(
        out.contains("more.yaml:4: rule `widget.made`: duplicate rule id; also defined at"),
        "{out}"
    );
    assert!(out.contains("bad.yaml:4"), "{out}");
}

#[test]
fn unknown_normaliser() {
    expect_problem(
        &GOOD_RULE.replace("normaliser: count", "normaliser: cont"),
        7,
        Some("widget.made"),
        "attributes.amount.normaliser: unknown variant `cont`, expected one of `text`, `number`, `money`",
    );
}

#[test]
fn every_enum_like_key_is_checked_by_its_type() {
    // Each unknown value is a serde error naming the file, the line and the key.
    expect_problem(
        &GOOD_RULE.replace("field: widget", "field: widget\nidentity: amounts"),
        3,
        None,
        "identity: unknown variant `amounts`, expected one of `amount`, `list-item`",
    );
    expect_problem(
        &GOOD_RULE.replace(
            "field: widget",
            "field: widget\nbackground_scope: paragraph",
        ),
        3,
        None,
        "background_scope: unknown variant `paragraph`, expected one of `sentence`, `clause`, `source`",
    );
    expect_problem(
        &GOOD_RULE.replace("    attributes:", "    text: whole\n    attributes:"),
        6,
        Some("widget.made"),
        "rules[0].text: unknown variant `whole`, expected one of `clause`, `match`, `sentence`",
    );
    expect_problem(
        &GOOD_RULE.replace("field: widget", "field: widget\nlayout: grid"),
        3,
        None,
        "layout: unknown variant `grid`, expected one of `numbered`, `sets`",
    );
    expect_problem(
        &GOOD_RULE.replace(
            "{capture: amount, normaliser: count}",
            "{capture: amount, normaliser: count, normalizer: money}",
        ),
        7,
        Some("widget.made"),
        "unknown field `normalizer`",
    );
}

#[test]
fn unknown_sub_pattern() {
    expect_problem(
        &GOOD_RULE.replace("{{count}}", "{{cuont}}"),
        5,
        Some("widget.made"),
        "unknown sub-pattern `cuont`",
    );
}

#[test]
fn invalid_regex_shows_where() {
    let dir = rules_with(
        "bad.yaml",
        &GOOD_RULE.replace("制造(?P<amount>{{count}})", "制造(?P<amount>[0-9)"),
    );
    let (code, out) = check(dir.path());
    assert_eq!(code, 1);
    assert!(
        out.contains("bad.yaml:5: rule `widget.made`: pattern: is not a valid regex"),
        "{out}"
    );
    assert!(
        out.contains('^'),
        "the regex error points at the position: {out}"
    );
}

#[test]
fn unused_capture() {
    expect_problem(
        &GOOD_RULE.replace("制造(?P<amount>", "(?P<maker>工厂)将制造(?P<amount>"),
        4,
        Some("widget.made"),
        "capture `maker` is not used",
    );
}

#[test]
fn failing_and_missing_examples() {
    let dir = rules_with(
        "bad.yaml",
        &GOOD_RULE
            .replace("value: 500", "value: 600")
            .replace("      - sentence: 工厂停工。\n        match: false\n", ""),
    );
    let (code, out) = check(dir.path());
    assert_eq!(code, 1);
    assert!(out.contains("FAIL  widget.made"), "{out}");
    assert!(
        out.contains("example 1 (line 9): amount.value is 500, expected 600"),
        "{out}"
    );
    assert!(
        out.contains("needs at least one example with `match: false`"),
        "{out}"
    );
}

#[test]
fn a_rules_folder_that_is_missing() {
    let o = run(&repo_root(), &["check", "--rules", "/nonexistent/rules"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no rules folder at /nonexistent/rules"));
}

const BACKGROUND: &str = r#"
background:
  cues:
    - '(?P<year>(?:19|20)\d\d)年'
  as_of: '(?:截至|截止)到?'
"#;

#[test]
fn a_dated_cue_after_as_of_words_dates_a_statistic() {
    let cue = |body: &str, sentence: &str| {
        let dir = rules_with("background.yaml", body);
        let set = factsheet::rules::load(dir.path()).unwrap();
        set.background.cue(sentence, "2024-05-30")
    };
    let statistic = "截至2023年，已有4个国家加入。";
    assert_eq!(cue(BACKGROUND, statistic), None);
    assert_eq!(cue(BACKGROUND, "截止到2023年，已有4个国家加入。"), None);
    // The words are data: without `as_of:` the same year is an earlier event.
    let without = BACKGROUND.replace("  as_of: '(?:截至|截止)到?'\n", "");
    assert_eq!(cue(&without, statistic).as_deref(), Some("2023年"));
    // Only right before the cue: a 截至 earlier in the sentence does not count.
    let far = "截至目前，2023年签署的协定已生效。";
    assert_eq!(cue(BACKGROUND, far).as_deref(), Some("2023年"));
}

#[test]
fn an_invalid_as_of_shows_where() {
    let dir = rules_with("background.yaml", &BACKGROUND.replace("到?'", "到?('"));
    let (code, out) = check(dir.path());
    assert_eq!(code, 1);
    assert!(out.contains("background.yaml:5: as_of: "), "{out}");
}
