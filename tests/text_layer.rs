//! The corpus and text layer: ingest, normalise and segment, on the seed sources.

mod common;

use common::*;
use factsheet::normalise::normalise_span;
use factsheet::segment::Simplifier;
use factsheet::{ingest, normalise, pipeline, segment};

/// The two seed summits, whose sources have snapshots.
const SEEDS: &[&str] = &["2022-virtual", "2023-xian"];

fn all_documents() -> Vec<(String, Vec<segment::Document>)> {
    let project = project();
    let simplifier = Simplifier::new().unwrap();
    project
        .summit_ids()
        .unwrap()
        .into_iter()
        .map(|id| {
            let summit = factsheet::ingest::load_summit(&project, &id).unwrap();
            (id, pipeline::documents(&summit, &simplifier).unwrap())
        })
        .collect()
}

fn seed_documents() -> Vec<(String, Vec<segment::Document>)> {
    all_documents()
        .into_iter()
        .filter(|(id, _)| SEEDS.contains(&id.as_str()))
        .collect()
}

fn documents_of(summit: &str) -> Vec<segment::Document> {
    let summit = factsheet::ingest::load_summit(&project(), summit).unwrap();
    pipeline::documents(&summit, &Simplifier::new().unwrap()).unwrap()
}

#[test]
fn the_seeds_and_the_corpus_summits_are_there() {
    let ids = project().summit_ids().unwrap();
    assert_eq!(ids.len(), 15, "{ids:?}");
    for seed in SEEDS {
        assert!(ids.iter().any(|i| i == seed), "{seed} missing from {ids:?}");
    }
}

/// One snapshot per seed source: every sentence with its id, span and flags.
#[test]
fn sentences_of_every_seed_source() {
    for (summit, docs) in seed_documents() {
        for doc in docs {
            let lines: Vec<String> = doc
                .sentences
                .iter()
                .map(|s| {
                    format!(
                        "{}:{} [{}, {}){}{} {}",
                        s.para,
                        s.sentence,
                        s.start,
                        s.end,
                        if s.excluded { " LEFT-OUT" } else { "" },
                        if s.view.is_some() { " VIEW" } else { "" },
                        s.text
                    )
                })
                .collect();
            let name = format!("sentences__{summit}__{}", doc.name().replace('.', "_"));
            insta::assert_snapshot!(name, lines.join("\n"));
        }
    }
}

/// For every sentence of every seed, the original bytes at [start, end) normalise to
/// exactly the sentence text.
#[test]
fn every_span_normalises_to_its_sentence() {
    let mut checked = 0;
    for (summit, docs) in all_documents() {
        for doc in docs {
            let path = repo_root()
                .join("summits")
                .join(&summit)
                .join("sources")
                .join(doc.name());
            let bytes = std::fs::read(&path).unwrap();
            for s in &doc.sentences {
                let original = std::str::from_utf8(&bytes[s.start..s.end])
                    .unwrap_or_else(|_| panic!("{}: span is not on character boundaries", s.id()));
                assert_eq!(
                    normalise_span(doc.format, original),
                    &*s.text,
                    "sentence {}",
                    s.id()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "only {checked} sentences checked");
}

#[test]
fn page_break_sentence_is_whole_and_cites_the_file() {
    let docs = &documents_of("2022-virtual");
    let speech = docs.iter().find(|d| d.name().starts_with("002")).unwrap();
    let hits: Vec<_> = speech
        .sentences
        .iter()
        .filter(|s| s.text.contains("坚定支持各国维护本国主权"))
        .collect();
    assert_eq!(hits.len(), 1);
    let s = hits[0];
    let bytes = std::fs::read(
        repo_root()
            .join("summits/2022-virtual/sources")
            .join(speech.name()),
    )
    .unwrap();
    let original = std::str::from_utf8(&bytes[s.start..s.end]).unwrap();
    assert!(original.contains("坚定支持各\n\n国维护"), "{original:?}");
    assert!(s.text.starts_with("中方坚定支持") && s.text.ends_with("发挥更大作用。"));
}

#[test]
fn nothing_of_the_ioc_article_is_included() {
    let docs = &documents_of("2022-virtual");
    let mut bach = 0;
    for s in docs.iter().flat_map(|d| d.sentences.iter()) {
        if s.text.contains("巴赫") || s.text.contains("奥委会") {
            assert!(
                s.excluded,
                "{} mentions the IOC article but is included: {}",
                s.id(),
                s.text
            );
            bach += 1;
        }
    }
    assert!(bach >= 18);
    // The speech's own mention of the Winter Games, before the article, stays in.
    assert!(
        docs.iter()
            .flat_map(|d| d.sentences.iter())
            .any(|s| s.text.starts_with("北京冬奥会即将开幕") && !s.excluded)
    );
    // The briefing after the article is back in.
    assert!(
        docs.iter()
            .flat_map(|d| d.sentences.iter())
            .any(|s| s.source.starts_with("002") && !s.excluded && s.text.contains("乐玉成表示"))
    );
}

#[test]
fn sentence_ids_are_unique_and_ordered() {
    for (_, docs) in all_documents() {
        for doc in docs {
            let mut last = (0, 0);
            for s in &doc.sentences {
                assert!((s.para, s.sentence) > last, "{} out of order", s.id());
                assert!(s.start < s.end);
                last = (s.para, s.sentence);
            }
        }
    }
}

/// A traditional-character copy of a seed sentence gets the same simplified view,
/// while its text and citation keep the traditional characters.
#[test]
fn traditional_sources_match_like_simplified_ones() {
    let simplified = "中方倡议建立中国—中亚五国电子商务合作对话机制，并适时举办中国—中亚国家产业与投资合作论坛。";
    let s2t =
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2t).unwrap();
    let traditional = s2t.convert(simplified);
    assert_ne!(
        traditional, simplified,
        "the fixture must really be traditional"
    );
    let dir = temp_project(
        "hk-report",
        "title: 峰會\ndate: 2022-01-25\n",
        &[("hk.txt", format!("標題\n\n{traditional}\n").as_bytes())],
    );
    let project = factsheet::project::Project::open(dir.path()).unwrap();
    let summit = factsheet::ingest::load_summit(&project, "hk-report").unwrap();
    let docs = pipeline::documents(&summit, &Simplifier::new().unwrap()).unwrap();
    let s = &docs[0].sentences[1];
    assert_eq!(&*s.text, traditional);
    assert_eq!(s.view.as_ref().map(|v| v.text()), Some(simplified));
    assert_eq!(s.match_text(), simplified);
    let bytes = std::fs::read(summit.source_path(&summit.sources[0])).unwrap();
    assert_eq!(
        std::str::from_utf8(&bytes[s.start..s.end]).unwrap(),
        traditional
    );
}

/// The same seed in GB18030 and UTF-16 (both byte orders, with BOM) yields the same
/// sentences as UTF-8, with spans into the encoded bytes.
#[test]
fn every_encoding_gives_the_same_sentences() {
    let seed = std::fs::read_to_string(
        repo_root().join("summits/2023-xian/sources/004_499384e4dd955c90.txt"),
    )
    .unwrap();
    let (gb, _, _) = encoding_rs::GB18030.encode(&seed);
    let utf16 = |le: bool| {
        let mut v = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in seed.encode_utf16() {
            v.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        v
    };
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(seed.as_bytes());
    let variants: Vec<(&str, Vec<u8>, ingest::Encoding)> = vec![
        ("utf8.txt", seed.as_bytes().to_vec(), ingest::Encoding::Utf8),
        ("utf8bom.txt", bom, ingest::Encoding::Utf8Bom),
        ("gb18030.txt", gb.into_owned(), ingest::Encoding::Gb18030),
        ("utf16le.txt", utf16(true), ingest::Encoding::Utf16Le),
        ("utf16be.txt", utf16(false), ingest::Encoding::Utf16Be),
    ];
    let files: Vec<(&str, &[u8])> = variants
        .iter()
        .map(|(n, b, _)| (*n, b.as_slice()))
        .collect();
    let dir = temp_project("enc", "title: t\ndate: 2023-05-19\n", &files);
    let project = factsheet::project::Project::open(dir.path()).unwrap();
    let summit = factsheet::ingest::load_summit(&project, "enc").unwrap();
    let simplifier = Simplifier::new().unwrap();
    let mut reference: Option<Vec<String>> = None;
    for config in &summit.sources {
        let raw = ingest::read_source(&summit, config).unwrap();
        let want = variants.iter().find(|v| v.0 == config.file).unwrap().2;
        assert_eq!(raw.encoding, want, "{}", config.file);
        let doc = segment::segment(normalise::normalise(&raw).unwrap(), &simplifier).unwrap();
        let texts: Vec<String> = doc.sentences.iter().map(|s| s.text.to_string()).collect();
        for s in &doc.sentences {
            let slice = &raw.bytes[s.start..s.end];
            let decoded = match raw.encoding {
                ingest::Encoding::Gb18030 => encoding_rs::GB18030
                    .decode_without_bom_handling(slice)
                    .0
                    .into_owned(),
                ingest::Encoding::Utf16Le => encoding_rs::UTF_16LE
                    .decode_without_bom_handling(slice)
                    .0
                    .into_owned(),
                ingest::Encoding::Utf16Be => encoding_rs::UTF_16BE
                    .decode_without_bom_handling(slice)
                    .0
                    .into_owned(),
                _ => String::from_utf8(slice.to_vec()).unwrap(),
            };
            assert_eq!(
                normalise_span(doc.format, &decoded),
                &*s.text,
                "{} {}",
                config.file,
                s.id()
            );
        }
        match &reference {
            None => reference = Some(texts),
            Some(r) => assert_eq!(r, &texts, "{} differs from UTF-8", config.file),
        }
    }
}

#[test]
fn sources_without_a_list_are_all_read_and_the_format_is_guessed() {
    let md = "---\ntitle: 报道标题\ndate: Wed, 26 Jan 2022 07:54:00 GMT\nauthor: 某报\n---\n<p>第一段。</p><p>第二段&amp;。</p>";
    let dir = temp_project(
        "auto",
        "title: 自动\ndate: 2022-01-25\n",
        &[("b.md", md.as_bytes()), ("a.txt", "甲。\n".as_bytes())],
    );
    let project = factsheet::project::Project::open(dir.path()).unwrap();
    let summit = factsheet::ingest::load_summit(&project, "auto").unwrap();
    let names: Vec<&str> = summit.sources.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(names, ["a.txt", "b.md"]);
    let docs = pipeline::documents(&summit, &Simplifier::new().unwrap()).unwrap();
    assert_eq!(docs[1].config.title.as_deref(), Some("报道标题"));
    assert_eq!(docs[1].config.date.as_deref(), Some("2022-01-26"));
    assert_eq!(docs[1].config.outlet.as_deref(), Some("某报"));
    let texts: Vec<&str> = docs[1].sentences.iter().map(|s| &*s.text).collect();
    assert_eq!(texts, ["第一段。", "第二段&。"]);
}
