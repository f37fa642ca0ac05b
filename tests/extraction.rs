//! Rules on the seed summits: what must be found, what must not, and snapshots of
//! the raw matches and of the consolidated facts for review.

mod common;

use common::*;
use factsheet::facts::{Fact, FactSheet};
use factsheet::pipeline;
use factsheet::rules;
use serde_json::Value;

fn sheet(id: &str) -> FactSheet {
    let project = project();
    let summit = factsheet::ingest::load_summit(&project, id).unwrap();
    pipeline::fact_sheet(&project, &summit).unwrap()
}

fn raw(id: &str) -> FactSheet {
    let project = project();
    let summit = factsheet::ingest::load_summit(&project, id).unwrap();
    let rules = rules::load(&project.rules_dir()).unwrap();
    pipeline::raw_fact_sheet(&summit, &rules).unwrap()
}

fn of<'a>(s: &'a FactSheet, field: &str) -> Vec<&'a Fact> {
    s.facts.iter().filter(|f| f.field == field).collect()
}

fn amount(f: &Fact) -> (i64, String) {
    let a = &f.attributes["amount"];
    (
        a["value"].as_i64().unwrap(),
        a["unit"].as_str().unwrap().to_string(),
    )
}

/// A compact, complete view of facts for snapshot review (YAML): every field of every
/// fact, with citations as sentence ids instead of full quotes.
#[derive(serde::Serialize)]
struct Review {
    facts: Vec<ReviewFact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(serde::Serialize)]
struct ReviewFact {
    id: String,
    field: String,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<String>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    attributes: serde_json::Map<String, Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    conflicts: Vec<Value>,
    rules: Vec<String>,
    sources: Vec<String>,
}

fn review_view(s: &FactSheet) -> Review {
    Review {
        facts: s
            .facts
            .iter()
            .map(|f| ReviewFact {
                id: f.id.clone(),
                field: f.field.clone(),
                text: f.text.clone(),
                context: f.context.clone(),
                attributes: f.attributes.clone(),
                items: f.items.iter().map(|i| i.text.clone()).collect(),
                conflicts: f
                    .conflicts
                    .iter()
                    .map(|c| serde_json::to_value(c).unwrap())
                    .collect(),
                rules: f.rules.clone(),
                sources: f
                    .sources
                    .iter()
                    .map(|c| c.sentence_id().to_string())
                    .collect(),
            })
            .collect(),
        notes: s
            .notes
            .iter()
            .map(|n| {
                format!(
                    "{} {} {}",
                    n.rule.as_deref().unwrap_or("-"),
                    n.sentence
                        .as_ref()
                        .map_or("-".to_string(), ToString::to_string),
                    n.message
                )
            })
            .collect(),
    }
}

#[test]
fn snapshot_raw_matches() {
    for id in ["2022-virtual", "2023-xian"] {
        insta::assert_yaml_snapshot!(format!("raw__{id}"), review_view(&raw(id)));
    }
}

#[test]
fn snapshot_consolidated_facts() {
    for id in ["2022-virtual", "2023-xian"] {
        insta::assert_yaml_snapshot!(format!("facts__{id}"), review_view(&sheet(id)));
    }
}

#[test]
fn the_2022_proposals_are_five_in_order_with_measures() {
    let s = sheet("2022-virtual");
    let p = of(&s, "proposal");
    let titles: Vec<&str> = p.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        titles,
        [
            "深耕睦邻友好的示范田",
            "建设高质量发展的合作带",
            "强化守卫和平的防护盾",
            "构建多元互动的大家庭",
            "维护和平发展的地球村"
        ]
    );
    for (k, f) in p.iter().enumerate() {
        assert_eq!(f.attributes["ordinal"]["value"], k as i64 + 1);
        assert!(!f.items.is_empty(), "{} has no measures", f.text);
        assert!(
            f.sources.iter().any(|c| c.doc.starts_with("002")),
            "{} not cited from the speech",
            f.text
        );
    }
    assert!(
        p[1].items
            .iter()
            .any(|i| i.text.contains("电子商务合作对话机制"))
    );
}

#[test]
fn the_2023_proposals_are_eight_in_order() {
    let s = sheet("2023-xian");
    let titles: Vec<String> = of(&s, "proposal").iter().map(|f| f.text.clone()).collect();
    assert_eq!(
        titles,
        [
            "加强机制建设",
            "拓展经贸关系",
            "深化互联互通",
            "扩大能源合作",
            "推进绿色创新",
            "提升发展能力",
            "加强文明对话",
            "维护地区和平"
        ]
    );
    assert!(
        of(&s, "proposal")
            .iter()
            .all(|f| f.attributes["count"] == 8 && !f.items.is_empty())
    );
}

#[test]
fn principle_lists_are_found_with_their_items() {
    let s = sheet("2022-virtual");
    let four: Vec<&Fact> = of(&s, "principle")
        .into_iter()
        .filter(|f| f.attributes["name"] == "四项原则")
        .collect();
    assert_eq!(four.len(), 1);
    let items: Vec<&str> = four[0].items.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(items, ["相互尊重", "睦邻友好", "同舟共济", "互利共赢"]);
    assert!(four[0].context.is_none());

    let s = sheet("2023-xian");
    let names: Vec<(String, usize, bool)> = of(&s, "principle")
        .iter()
        .map(|f| {
            (
                f.attributes["name"].as_str().unwrap().to_string(),
                f.items.len(),
                f.context.is_some(),
            )
        })
        .collect();
    assert!(
        names.contains(&("四个坚持".to_string(), 4, false)),
        "{names:?}"
    );
    assert!(
        names.contains(&("四点主张".to_string(), 4, false)),
        "{names:?}"
    );
    // The preview restates 2022's four principles: background, not a 2023 outcome.
    assert!(
        names.contains(&("四项原则".to_string(), 4, true)),
        "{names:?}"
    );
}

#[test]
fn the_six_2022_pledges_each_once_with_normalised_amounts() {
    let s = sheet("2022-virtual");
    let mut pledges: Vec<(i64, String, Value)> = of(&s, "pledge")
        .iter()
        .map(|f| {
            let (v, u) = amount(f);
            let mut p = f.attributes["period"].clone();
            p.as_object_mut().unwrap().remove("text");
            (v, u, p)
        })
        .collect();
    pledges.sort_by_key(|a| (a.1.clone(), a.0));
    let want: Vec<(i64, &str, Value)> = vec![
        (
            500_000_000,
            "USD",
            serde_json::json!({"kind": "within", "years": 3}),
        ),
        (
            70_000_000_000,
            "USD",
            serde_json::json!({"kind": "by", "year": 2030}),
        ),
        (
            1200,
            "个",
            serde_json::json!({"kind": "within", "years": 5}),
        ),
        (
            5000,
            "个",
            serde_json::json!({"kind": "within", "years": 3}),
        ),
        (
            50_000_000,
            "剂",
            serde_json::json!({"kind": "in", "year": 2022}),
        ),
        (
            100,
            "对",
            serde_json::json!({"kind": "within", "years": {"min": 5, "max": 10}}),
        ),
    ];
    let mut want: Vec<(i64, String, Value)> = want
        .into_iter()
        .map(|(v, u, p)| (v, u.to_string(), p))
        .collect();
    want.sort_by_key(|a| (a.1.clone(), a.0));
    assert_eq!(pledges, want);
    // The grant is cited from all three sources.
    let grant = of(&s, "pledge")
        .into_iter()
        .find(|f| amount(f).0 == 500_000_000)
        .unwrap();
    let mut docs: Vec<&str> = grant.sources.iter().map(|c| &c.doc[..3]).collect();
    docs.dedup();
    assert_eq!(docs, ["000", "001", "002"]);
}

#[test]
fn the_2023_package_is_one_pledge_in_cny() {
    let s = sheet("2023-xian");
    let p = of(&s, "pledge");
    assert_eq!(p.len(), 1);
    assert_eq!(amount(p[0]), (26_000_000_000, "CNY".to_string()));
    assert_eq!(p[0].attributes["recipient"], "中亚国家");
}

#[test]
fn no_statistic_is_a_pledge_and_statistics_are_key_figures() {
    for id in ["2022-virtual", "2023-xian"] {
        let s = sheet(id);
        for f in of(&s, "pledge") {
            for c in &f.sources {
                for stat in ["累计", "共同边界", "全长"] {
                    assert!(
                        !c.quote.contains(stat) || !f.text.contains(stat),
                        "{id}: pledge from a statistic: {}",
                        f.text
                    );
                }
            }
            assert!(
                !["立方米", "公里", "吨", "列"].contains(&amount(f).1.as_str()),
                "{id}: {}",
                f.text
            );
        }
    }
    let s = sheet("2022-virtual");
    let figures: Vec<&str> = of(&s, "figure").iter().map(|f| f.text.as_str()).collect();
    for want in [
        "3300多公里共同边界",
        "累计对华输气超3800亿立方米",
        "58对友好城市",
    ] {
        assert!(
            figures.iter().any(|t| t.contains(want)),
            "{want} missing from {figures:?}"
        );
    }
}

#[test]
fn mechanisms_with_status_and_frequency() {
    let s = sheet("2023-xian");
    let m: Vec<(String, String, Option<i64>)> = of(&s, "mechanism")
        .iter()
        .filter(|f| f.context.is_none())
        .map(|f| {
            (
                f.attributes["name"].as_str().unwrap().to_string(),
                f.attributes["status"].as_str().unwrap().to_string(),
                f.attributes
                    .get("frequency")
                    .and_then(|x| x["every"].as_i64()),
            )
        })
        .collect();
    let has = |name: &str, status: &str| m.iter().any(|(n, s, _)| n == name && s == status);
    assert!(
        m.contains(&(
            "中国—中亚元首会晤机制".to_string(),
            "established".to_string(),
            Some(2)
        )),
        "{m:?}"
    );
    assert!(has("外交、经贸、海关等部长级会晤机制", "established"));
    assert!(
        has("实业家委员会", "established")
            && has("智库论坛", "established")
            && has("健康产业联盟", "established")
    );
    assert!(has("中国—中亚机制常驻秘书处", "established"));
    assert!(has("减贫合作分委会", "established"));
    assert!(has("中国—中亚能源发展伙伴关系", "proposed"), "{m:?}");
    assert!(has("阿富汗邻国协调机制", "continued"));

    let s = sheet("2022-virtual");
    let names: Vec<&str> = of(&s, "mechanism")
        .iter()
        .map(|f| f.attributes["name"].as_str().unwrap())
        .collect();
    for want in [
        "中国—中亚五国电子商务合作对话机制",
        "中国—中亚国家产业与投资合作论坛",
        "中国—中亚经贸合作论坛",
        "中国—中亚健康产业联盟",
        "中国—中亚民间友好论坛",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
}

#[test]
fn documents_adopted() {
    let titles = |id: &str| -> Vec<String> {
        of(&sheet(id), "document")
            .iter()
            .map(|f| f.attributes["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        titles("2022-virtual"),
        ["中国同中亚五国领导人关于建交30周年的联合声明"]
    );
    assert_eq!(
        titles("2023-xian"),
        [
            "中国—中亚峰会西安宣言",
            "中国—中亚峰会成果清单",
            "中国同中亚五国领导人关于建交30周年的联合声明"
        ]
    );
    // The 2022 statement is only restated by the preview: background.
    let xian = sheet("2023-xian");
    let restated = of(&xian, "document")
        .into_iter()
        .find(|f| f.text.contains("建交30周年"))
        .unwrap();
    assert_eq!(restated.context.as_deref(), Some("background"));
}

#[test]
fn nothing_comes_from_the_ioc_article() {
    let project = project();
    let summit = factsheet::ingest::load_summit(&project, "2022-virtual").unwrap();
    let docs =
        pipeline::documents(&summit, &factsheet::segment::Simplifier::new().unwrap()).unwrap();
    let excluded: Vec<factsheet::facts::SentenceId> = docs
        .iter()
        .flat_map(|d| d.sentences.iter())
        .filter(|s| s.excluded)
        .map(|s| s.id())
        .collect();
    assert!(!excluded.is_empty());
    for f in &raw("2022-virtual").facts {
        for c in &f.sources {
            assert!(
                !excluded.contains(&c.sentence_id()),
                "{} cites the left-out {}",
                f.id,
                c.sentence_id()
            );
        }
    }
}

#[test]
fn no_fact_text_repeats_within_a_field() {
    for id in ["2022-virtual", "2023-xian"] {
        let s = sheet(id);
        let mut seen = std::collections::BTreeSet::new();
        // Two facts may quote one clause (58对友好城市、每年数十万民众…: two figures),
        // but never with the same attributes: that would be one fact told twice.
        for f in &s.facts {
            let attributes = serde_json::to_string(&f.attributes).unwrap();
            assert!(
                seen.insert((f.field.clone(), f.text.clone(), attributes)),
                "{id}: {} repeats: {}",
                f.field,
                f.text
            );
        }
        let mut ids = std::collections::BTreeSet::new();
        assert!(
            s.facts.iter().all(|f| ids.insert(f.id.clone())),
            "{id}: duplicate ids"
        );
    }
}

#[test]
fn extraction_is_deterministic() {
    let a = serde_json::to_string(&sheet("2022-virtual")).unwrap();
    let b = serde_json::to_string(&sheet("2022-virtual")).unwrap();
    assert_eq!(a, b);
}

/// The literal prefilter only saves work: on every sentence of every summit, each
/// one-sentence rule whose pattern matches is among the sentence's candidates.
#[test]
fn the_prefilter_never_hides_a_match() {
    let project = project();
    let rules = rules::load(&project.rules_dir()).unwrap();
    let single: Vec<&rules::Rule> = rules.rules.iter().filter(|r| r.window == 1).collect();
    let patterns: Vec<&str> = single.iter().map(|r| r.regex.as_str()).collect();
    let prefilter = rules::prefilter::Prefilter::new(&patterns);
    assert!(
        prefilter.filtered_rules() * 2 > single.len(),
        "most rules are filtered"
    );
    let simplifier = factsheet::segment::Simplifier::new().unwrap();
    let (mut tried, mut matched) = (0, 0);
    for id in project.summit_ids().unwrap() {
        let summit = factsheet::ingest::load_summit(&project, &id).unwrap();
        for doc in pipeline::documents(&summit, &simplifier).unwrap() {
            for s in &doc.sentences {
                let text = s.match_text();
                let candidates = prefilter.candidates(text);
                tried += candidates.len();
                for (k, rule) in single.iter().enumerate() {
                    if rule.regex.is_match(text) {
                        matched += 1;
                        assert!(
                            candidates.contains(&k),
                            "{} hidden from {}: {text}",
                            rule.id,
                            s.id()
                        );
                    }
                }
            }
        }
    }
    assert!(matched > 300, "{matched} matches");
    // Each rule is checked against several of the literal sets its pattern needs
    // (with only the best one, about ten rules were tried per match).
    assert!(
        tried < 6 * matched,
        "{tried} rules tried for {matched} matches"
    );
}

/// The facts-only extraction (what extract and build use, which skips building
/// captures and normalisation steps) gives exactly what full extraction (explain)
/// gives with its diagnostics dropped, on every source of every summit.
#[test]
fn facts_only_extraction_is_full_extraction_without_diagnostics() {
    use factsheet::extract;
    let project = project();
    let rules = rules::load(&project.rules_dir()).unwrap();
    let simplifier = factsheet::segment::Simplifier::new().unwrap();
    let (mut steps, mut captures) = (0, 0);
    for id in project.summit_ids().unwrap() {
        let summit = factsheet::ingest::load_summit(&project, &id).unwrap();
        let date = &summit.config.date;
        for (i, doc) in pipeline::documents(&summit, &simplifier)
            .unwrap()
            .iter()
            .enumerate()
        {
            let mut full = extract::extract_document(&rules, doc, i, date);
            steps += full.matches.iter().map(|m| m.steps.len()).sum::<usize>();
            captures += full.matches.iter().map(|m| m.captures.len()).sum::<usize>();
            full.drop_diagnostics();
            let facts = extract::extract_document_for_facts(&rules, doc, i, date);
            assert_eq!(facts, full, "{id}: {}", doc.name());
        }
    }
    assert!(
        steps > 500 && captures > 500,
        "{steps} steps, {captures} captures"
    );
}

/// Several sources extracted together (what a batch of short reports gets) give each
/// source exactly what it gives alone, whatever the grouping.
#[test]
fn sources_extracted_together_give_what_each_gives_alone() {
    use factsheet::extract;
    let project = project();
    let rules = rules::load(&project.rules_dir()).unwrap();
    let simplifier = factsheet::segment::Simplifier::new().unwrap();
    let mut several = 0;
    for id in project.summit_ids().unwrap() {
        let summit = factsheet::ingest::load_summit(&project, &id).unwrap();
        let date = &summit.config.date;
        let docs = pipeline::documents(&summit, &simplifier).unwrap();
        let indexed: Vec<(usize, &factsheet::segment::Document)> =
            docs.iter().enumerate().collect();
        let alone: Vec<extract::Extraction> = indexed
            .iter()
            .map(|&(i, d)| extract::extract_document_for_facts(&rules, d, i, date))
            .collect();
        for size in [2, 3, indexed.len()] {
            let together: Vec<extract::Extraction> = indexed
                .chunks(size)
                .flat_map(|group| extract::extract_documents_for_facts(&rules, group, date))
                .collect();
            assert_eq!(together, alone, "{id}, groups of {size}");
        }
        several += usize::from(indexed.len() > 3);
    }
    assert!(several > 10, "most summits have several sources");
}
