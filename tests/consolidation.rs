//! Consolidation on fixtures: conflicts, background, stable ids.

mod common;

use common::*;
use factsheet::facts::FactSheet;
use factsheet::pipeline;
use factsheet::project::Project;

const SEEDS_2022: [&str; 3] = [
    "000_4f59510dab5f9323.txt",
    "001_cae9e3f49ae9dd89.txt",
    "002_063d4d8102645fc2.txt",
];

/// The 2022 summit plus one extra source `file` declared with `declaration` (the
/// YAML keys after `file:`, e.g. "kind: report").
fn summit_2022_with(file: &str, declaration: &str, text: &str) -> (tempfile::TempDir, FactSheet) {
    let dir = repo_root().join("summits/2022-virtual");
    let mut yaml = std::fs::read_to_string(dir.join("summit.yaml")).unwrap();
    yaml.push_str(&format!("  - file: {file}\n    {declaration}\n"));
    let seeds: Vec<(String, Vec<u8>)> = SEEDS_2022
        .iter()
        .map(|n| {
            (
                n.to_string(),
                std::fs::read(dir.join("sources").join(n)).unwrap(),
            )
        })
        .collect();
    let mut files: Vec<(&str, &[u8])> = seeds
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    files.push((file, text.as_bytes()));
    let tmp = temp_project("2022-virtual", &yaml, &files);
    let project = Project::open(tmp.path()).unwrap();
    let summit = factsheet::ingest::load_summit(&project, "2022-virtual").unwrap();
    let sheet = pipeline::fact_sheet(&project, &summit).unwrap();
    (tmp, sheet)
}

/// The 2022 summit plus one extra source (`extra.txt`, kind `report`).
fn summit_2022_plus(extra: &str) -> (tempfile::TempDir, FactSheet) {
    summit_2022_with("extra.txt", "outlet: 测试\n    kind: report", extra)
}

fn seed_sheet() -> FactSheet {
    let project = project();
    let summit = factsheet::ingest::load_summit(&project, "2022-virtual").unwrap();
    pipeline::fact_sheet(&project, &summit).unwrap()
}

#[test]
fn a_conflicting_amount_is_kept_once_and_flagged() {
    let (_tmp, sheet) =
        summit_2022_plus("外电报道\n\n报道称，未来3年中国将向中亚国家提供6亿美元无偿援助。\n");
    let grants: Vec<_> = sheet
        .facts
        .iter()
        .filter(|f| f.field == "pledge" && f.text.contains("无偿援助"))
        .collect();
    assert_eq!(
        grants.len(),
        1,
        "{:#?}",
        grants.iter().map(|f| &f.text).collect::<Vec<_>>()
    );
    let g = grants[0];
    // The canonical value is the speech's.
    assert_eq!(g.attributes["amount"]["value"], 500_000_000);
    assert_eq!(g.conflicts.len(), 1);
    let c = &g.conflicts[0];
    assert_eq!(c.attribute, "amount");
    let values: Vec<i64> = c
        .values
        .iter()
        .map(|v| v.value["value"].as_i64().unwrap())
        .collect();
    assert_eq!(values, [500_000_000, 600_000_000]);
    assert!(
        c.values[1]
            .citations
            .iter()
            .all(|id| &*id.doc == "extra.txt")
    );
    assert!(c.values[0].citations.len() >= 4);
    assert!(g.sources.iter().any(|s| &*s.doc == "extra.txt"));
}

#[test]
fn ids_do_not_change_when_a_source_is_added() {
    let before = seed_sheet();
    let (_tmp, after) = summit_2022_plus("另一报道\n\n中方倡议举办中国—中亚青年论坛。\n");
    for f in &before.facts {
        let same = after.facts.iter().find(|g| g.id == f.id);
        assert!(
            same.is_some_and(|g| g.text == f.text && g.field == f.field),
            "{} ({}) lost its id",
            f.id,
            f.text
        );
    }
    assert!(
        after
            .facts
            .iter()
            .any(|g| g.text.contains("中国—中亚青年论坛"))
    );
}

#[test]
fn sentences_about_earlier_events_are_background() {
    let (_tmp, sheet) = summit_2022_plus(
        "回顾\n\n2019年，中方倡议建立中国—中亚农业合作论坛。去年，中方倡议举办中国—中亚旅游论坛。中方倡议建立中国—中亚水资源对话机制。\n",
    );
    let ctx = |name: &str| {
        sheet
            .facts
            .iter()
            .find(|f| f.attributes.get("name").and_then(|n| n.as_str()) == Some(name))
            .unwrap_or_else(|| panic!("{name} not found"))
            .context
            .clone()
    };
    assert_eq!(ctx("中国—中亚农业合作论坛").as_deref(), Some("background"));
    assert_eq!(ctx("中国—中亚旅游论坛").as_deref(), Some("background"));
    assert_eq!(ctx("中国—中亚水资源对话机制"), None);
    // Background facts come after the outcomes of their field.
    let mechs: Vec<_> = sheet
        .facts
        .iter()
        .filter(|f| f.field == "mechanism")
        .collect();
    let first_bg = mechs.iter().position(|f| f.context.is_some()).unwrap();
    assert!(mechs[first_bg..].iter().all(|f| f.context.is_some()));
}

#[test]
fn a_fact_restated_by_a_preview_stays_an_outcome() {
    let preview = "前瞻\n\n中方将在峰会上倡议建立中国—中亚五国电子商务合作对话机制。中方还倡议建立中国—中亚数字论坛。\n";
    let (_tmp, sheet) = summit_2022_with("preview.txt", "kind: preview", preview);
    let find = |name: &str| {
        sheet
            .facts
            .iter()
            .find(|f| f.attributes.get("name").and_then(|n| n.as_str()) == Some(name))
            .unwrap()
    };
    let ecom = find("中国—中亚五国电子商务合作对话机制");
    assert_eq!(ecom.context, None, "also stated by the speech: an outcome");
    assert!(ecom.sources.iter().any(|s| &*s.doc == "preview.txt"));
    assert_eq!(
        find("中国—中亚数字论坛").context.as_deref(),
        Some("background")
    );
}

/// A source in traditional characters meets the same rules; the fact keeps the
/// source's own characters.
#[test]
fn a_traditional_source_yields_the_same_facts() {
    let s2t =
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2t).unwrap();
    let text = s2t.convert("海外报道\n\n习近平主席还宣布向中亚国家提供总额260亿元人民币的融资支持和援助。中方倡议建立中国—中亚能源发展伙伴关系。\n");
    assert!(text.contains("億") && text.contains("關係"), "{text}");
    let tmp = temp_project(
        "hk",
        "title: 峰會\ndate: 2023-05-18\n",
        &[("hk.txt", text.as_bytes())],
    );
    let project = Project::open(tmp.path()).unwrap();
    let sheet = pipeline::fact_sheet(
        &project,
        &factsheet::ingest::load_summit(&project, "hk").unwrap(),
    )
    .unwrap();
    let pledge = sheet
        .facts
        .iter()
        .find(|f| f.field == "pledge")
        .expect("the pledge is found");
    assert_eq!(pledge.attributes["amount"]["value"], 26_000_000_000_i64);
    assert_eq!(pledge.attributes["amount"]["unit"], "CNY");
    assert!(pledge.text.contains("260億元人民幣"), "{}", pledge.text);
    let mech = sheet
        .facts
        .iter()
        .find(|f| f.field == "mechanism")
        .expect("the mechanism is found");
    assert_eq!(mech.attributes["status"], "proposed");
    assert!(mech.attributes["name"].as_str().unwrap().contains("關係"));
    assert!(pledge.sources[0].quote.contains("億"));
}

/// `build` and `extract` merge each source's matches as soon as it is read (or
/// extracted), speeches first; the analyst's commands merge all matches at once. Both must give the same
/// facts, for every summit (kinds in any order in summit.yaml).
#[test]
fn facts_merged_source_by_source_are_those_merged_at_once() {
    let project = project();
    let rules = factsheet::rules::load(&project.rules_dir()).unwrap();
    for id in project.summit_ids().unwrap() {
        let summit = factsheet::ingest::load_summit(&project, &id).unwrap();
        let streamed = pipeline::fact_sheet_with(&summit, &rules).unwrap();
        let at_once = pipeline::analyse(&summit, &rules).unwrap().sheet;
        assert_eq!(streamed, at_once, "{id}");
        let with_sources = pipeline::sheet_and_sources(&summit, &rules).unwrap();
        assert_eq!(with_sources.sheet, at_once, "{id}");
        assert_eq!(with_sources.docs.len(), summit.sources.len(), "{id}");
    }
}

/// A large source is extracted a part (whole paragraphs) at a time and each part
/// merged at once; cut into parts as small as a paragraph, every summit's sources
/// still give the facts they give whole, whether the document is kept (build) or
/// its parts are dropped as they are extracted (extract).
#[test]
fn a_source_merged_part_by_part_gives_the_facts_it_gives_whole() {
    use factsheet::consolidate::Consolidator;
    use factsheet::extract;
    let project = project();
    let rules = factsheet::rules::load(&project.rules_dir()).unwrap();
    let simplifier = factsheet::segment::Simplifier::new().unwrap();
    let view = |t: &str| t.to_string();
    for id in project.summit_ids().unwrap() {
        let summit = factsheet::ingest::load_summit(&project, &id).unwrap();
        let mut docs: Vec<(usize, factsheet::segment::Document)> =
            pipeline::documents(&summit, &simplifier)
                .unwrap()
                .into_iter()
                .enumerate()
                .collect();
        docs.sort_by_key(|(i, d)| (d.config.kind, *i));
        let date = &summit.config.date;
        let mut at_once = Consolidator::new(&rules, &view, false);
        for (i, doc) in &docs {
            at_once.add_source(extract::extract_document(&rules, doc, *i, date));
        }
        let whole = at_once.finish().facts;
        assert!(!whole.is_empty(), "{id}");
        for (part_size, dropping) in [(1, false), (7, false), (1, true), (7, true)] {
            let mut parts = Consolidator::new(&rules, &view, false);
            let mut n = 0;
            for (i, doc) in &docs {
                let mut take = |p| {
                    n += 1;
                    parts.add_source(p)
                };
                let cut = extract::Parts {
                    sentences: part_size,
                    take: &mut take,
                };
                if dropping {
                    let left = extract::extract_document_by_parts_dropping(
                        &rules,
                        doc.clone(),
                        *i,
                        date,
                        cut,
                    );
                    assert!(left.sentences.is_empty() && left.name() == doc.name());
                } else {
                    extract::extract_document_by_parts(&rules, doc, *i, date, cut);
                }
            }
            assert!(n > 2 * docs.len(), "{id}: parts were not cut");
            let got = parts.finish().facts;
            assert_eq!(
                got, whole,
                "{id}, parts of {part_size}, dropping {dropping}"
            );
        }
    }
}
