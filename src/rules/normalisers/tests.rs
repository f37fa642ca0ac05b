//! Table-driven tests: each normaliser has `CASES` (input, expected JSON) and
//! `ERRORS` (input, expected reason). Outputs are compared as serialised JSON, so
//! key order and integer-versus-float are checked too.

use super::*;

/// [`apply`] by name, as the tables name normalisers.
fn apply(name: &str, input: &str) -> Result<Value, NormaliseError> {
    let normaliser: Normaliser = name.parse().unwrap_or_else(|e| panic!("{e}"));
    super::apply(normaliser, input)
}

/// Runs `name` on every case and reports every mismatch at once.
fn check(name: &str, cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for &(input, expected) in cases {
        let expected: Value = serde_json::from_str(expected)
            .unwrap_or_else(|e| panic!("bad expected JSON for {name}({input:?}): {e}"));
        // Serialised, so that key order and integer-versus-float count.
        let expected = expected.to_string();
        match apply(name, input).map(|v| v.to_string()) {
            Ok(actual) if actual == expected => {}
            Ok(actual) => {
                failures.push(format!("{name}({input:?}) = {actual}, expected {expected}"))
            }
            Err(e) => failures.push(format!(
                "{name}({input:?}) failed ({e}), expected {expected}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Checks that `name` rejects every input with the given reason.
fn check_errors(name: &str, cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for &(input, reason) in cases {
        match apply(name, input) {
            Err(e) if e.reason == reason && e.normaliser == name && e.input == input => {}
            Err(e) => failures.push(format!(
                "{name}({input:?}) failed with {:?}, expected {reason:?}",
                e.reason
            )),
            Ok(v) => failures.push(format!(
                "{name}({input:?}) = {v}, expected error {reason:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

mod api {
    use super::*;

    #[test]
    fn names_read_back() {
        for n in Normaliser::ALL {
            assert_eq!(n.name().parse::<Normaliser>(), Ok(n));
        }
        assert_eq!(
            "percentage".parse::<Normaliser>(),
            Err("unknown normaliser `percentage`".to_string())
        );
        let err = super::super::apply(Normaliser::Money, "5%").unwrap_err();
        assert_eq!(
            err.to_string(),
            "normaliser `money` cannot read \"5%\": no currency after the number"
        );
    }

    #[test]
    fn error_keeps_the_untrimmed_input() {
        let err = apply("count", " 5000 ").unwrap_err();
        assert_eq!(
            (err.input.as_str(), err.reason.as_str()),
            (" 5000 ", NO_MEASURE_WORD)
        );
    }
}

mod parse {
    use super::*;

    /// (input, Some((mantissa, scale)) or None).
    #[rustfmt::skip]
    const CASES: &[(&str, Option<(i128, u32)>)] = &[
        ("0", Some((0, 0))),
        ("零", Some((0, 0))),
        ("〇", Some((0, 0))),
        ("○", Some((0, 0))),
        ("二○三○", Some((2030, 0))),
        ("廿", Some((20, 0))),
        ("廿五", Some((25, 0))),
        ("卅", Some((30, 0))),
        ("一点五亿", Some((150_000_000, 0))),
        ("二十点五", Some((205, 1))),
        ("一点", None),
        ("十五亿", Some((1_500_000_000, 0))),
        ("一千五百亿", Some((150_000_000_000, 0))),
        ("1千万", Some((10_000_000, 0))),
        ("一", Some((1, 0))),
        ("两", Some((2, 0))),
        ("八", Some((8, 0))),
        ("十", Some((10, 0))),
        ("十二", Some((12, 0))),
        ("一十二", Some((12, 0))),
        ("二十", Some((20, 0))),
        ("三十", Some((30, 0))),
        ("二十五", Some((25, 0))),
        ("百", Some((100, 0))),
        ("一百", Some((100, 0))),
        ("一百零五", Some((105, 0))),
        ("一百二十", Some((120, 0))),
        ("一百二十三", Some((123, 0))),
        ("一百二", Some((120, 0))),
        ("千", Some((1000, 0))),
        ("两千", Some((2000, 0))),
        ("两千五", Some((2500, 0))),
        ("一千二百", Some((1200, 0))),
        ("一千零五十", Some((1050, 0))),
        ("一万五千", Some((15000, 0))),
        ("一万五", Some((15000, 0))),
        ("一万零五百", Some((10500, 0))),
        ("十万", Some((100_000, 0))),
        ("千万", Some((10_000_000, 0))),
        ("三百五十万", Some((3_500_000, 0))),
        ("十二亿", Some((1_200_000_000, 0))),
        ("一亿五千万", Some((150_000_000, 0))),
        ("壹佰贰拾", Some((120, 0))),
        ("二〇三〇", Some((2030, 0))),
        ("二零二二", Some((2022, 0))),
        ("一九九七", Some((1997, 0))),
        ("5", Some((5, 0))),
        ("1,200", Some((1200, 0))),
        ("12,345,678", Some((12_345_678, 0))),
        ("2.5", Some((25, 1))),
        ("0.05", Some((5, 2))),
        ("1.50", Some((15, 1))),
        ("5000万", Some((50_000_000, 0))),
        ("1.5亿", Some((150_000_000, 0))),
        ("260亿", Some((26_000_000_000, 0))),
        ("2.5万", Some((25_000, 0))),
        ("1万", Some((10_000, 0))),
        ("0.5亿", Some((50_000_000, 0))),
        ("1.2345万", Some((12_345, 0))),
        ("1.23456万", Some((123_456, 1))),
        ("5千", Some((5000, 0))),
        ("3百万", Some((3_000_000, 0))),
        ("1亿5000万", Some((150_000_000, 0))),
        ("1万亿", Some((1_000_000_000_000, 0))),
        ("1.5万亿", Some((1_500_000_000_000, 0))),
        ("1万亿5000亿", Some((1_500_000_000_000, 0))),
        (" 12 ", Some((12, 0))),
        ("", None),
        ("亿", None),
        ("万", None),
        ("1.2.3", None),
        (".5", None),
        ("5.", None),
        ("1,20", None),
        ("1,2000", None),
        (",100", None),
        ("十百", None),
        ("百十", None),
        ("亿万", None),
        ("5亿亿", None),
        ("5万万", None),
        ("100万千", None),
        ("五六", None),
        ("5五", None),
        ("五5", None),
        ("零十", None),
        ("3千5百", None),
        ("abc", None),
        ("5个", None),
        ("多", None),
        ("99999999999999999999999999999999999999999", None),
    ];

    #[test]
    fn parse_number_cases() {
        let mut failures = Vec::new();
        for &(input, expected) in CASES {
            let expected = expected.map(|(mantissa, scale)| Number { mantissa, scale });
            let actual = parse_number(input);
            if actual != expected {
                failures.push(format!(
                    "parse_number({input:?}) = {actual:?}, expected {expected:?}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// (mantissa, scale, is_integer, JSON, Display).
    #[rustfmt::skip]
    const JSON_CASES: &[(i128, u32, bool, &str, &str)] = &[
        (5, 0, true, "5", "5"),
        (0, 3, true, "0", "0.000"),
        (1500, 1, true, "150", "150.0"),
        (15, 1, false, "1.5", "1.5"),
        (5, 2, false, "0.05", "0.05"),
        (-25, 1, false, "-2.5", "-2.5"),
        (-7, 0, true, "-7", "-7"),
        (10_000_000_000_000_000_000, 0, true, "1e19", "10000000000000000000"),
        (1, 100, false, "1e-100", "1e-100"),
    ];

    #[test]
    fn number_json_and_display() {
        let mut failures = Vec::new();
        for &(mantissa, scale, integer, json, display) in JSON_CASES {
            let n = Number { mantissa, scale };
            let expected: Value = serde_json::from_str(json).unwrap();
            let got = (n.is_integer(), n.to_json().to_string(), n.to_string());
            if got != (integer, expected.to_string(), display.to_owned()) {
                failures.push(format!(
                    "{n:?}: got {got:?}, expected ({integer}, {json}, {display})"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn integers_are_json_integers() {
        assert!(parse_number("1.5亿").unwrap().to_json().is_i64());
        assert!(parse_number("2.5").unwrap().to_json().is_f64());
        assert_eq!(parse_number("1.5亿").unwrap().as_i64(), Some(150_000_000));
        assert_eq!(parse_number("1.5").unwrap().as_i64(), None);
    }
}

mod text {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("互利共赢", r#""互利共赢""#),
        ("  中国—中亚峰会 \n", r#""中国—中亚峰会""#),
        ("", r#""""#),
    ];

    #[test]
    fn cases() {
        check("text", CASES);
    }
}

mod number {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("5000万", r#"{"value": 50000000, "text": "5000万"}"#),
        ("1.5亿", r#"{"value": 150000000, "text": "1.5亿"}"#),
        ("2.5", r#"{"value": 2.5, "text": "2.5"}"#),
        ("零", r#"{"value": 0, "text": "零"}"#),
        ("两", r#"{"value": 2, "text": "两"}"#),
        ("十", r#"{"value": 10, "text": "十"}"#),
        ("一百", r#"{"value": 100, "text": "一百"}"#),
        ("三十", r#"{"value": 30, "text": "三十"}"#),
        ("十二", r#"{"value": 12, "text": "十二"}"#),
        ("1,200", r#"{"value": 1200, "text": "1,200"}"#),
        ("十万八千", r#"{"value": 108000, "text": "十万八千"}"#),
        ("两百万", r#"{"value": 2000000, "text": "两百万"}"#),
        (" 700 ", r#"{"value": 700, "text": "700"}"#),
        ("3300多", r#"{"value": 3300, "bound": "at_least", "text": "3300多"}"#),
        ("100余", r#"{"value": 100, "bound": "at_least", "text": "100余"}"#),
        ("千余", r#"{"value": 1000, "bound": "at_least", "text": "千余"}"#),
        ("逾2.5万", r#"{"value": 25000, "bound": "at_least", "text": "逾2.5万"}"#),
        ("超3800亿", r#"{"value": 380000000000, "bound": "at_least", "text": "超3800亿"}"#),
        ("超过100", r#"{"value": 100, "bound": "at_least", "text": "超过100"}"#),
        ("1000以上", r#"{"value": 1000, "bound": "at_least", "text": "1000以上"}"#),
        ("上百", r#"{"value": 100, "bound": "at_least", "text": "上百"}"#),
        ("上千万", r#"{"value": 10000000, "bound": "at_least", "text": "上千万"}"#),
        ("上万", r#"{"value": 10000, "bound": "at_least", "text": "上万"}"#),
        ("数十万", r#"{"value": 100000, "bound": "at_least", "text": "数十万"}"#),
        ("数万", r#"{"value": 10000, "bound": "at_least", "text": "数万"}"#),
        ("几十", r#"{"value": 10, "bound": "at_least", "text": "几十"}"#),
        ("十几", r#"{"value": 10, "bound": "at_least", "text": "十几"}"#),
        ("十几万", r#"{"value": 100000, "bound": "at_least", "text": "十几万"}"#),
        ("1360多万", r#"{"value": 13600000, "bound": "at_least", "text": "1360多万"}"#),
        ("万余", r#"{"value": 10000, "bound": "at_least", "text": "万余"}"#),
        ("近15亿", r#"{"value": 1500000000, "bound": "at_most", "text": "近15亿"}"#),
        ("将近200", r#"{"value": 200, "bound": "at_most", "text": "将近200"}"#),
        ("接近1000", r#"{"value": 1000, "bound": "at_most", "text": "接近1000"}"#),
        ("不到50", r#"{"value": 50, "bound": "at_most", "text": "不到50"}"#),
        ("50以下", r#"{"value": 50, "bound": "at_most", "text": "50以下"}"#),
        ("约5亿", r#"{"value": 500000000, "bound": "about", "text": "约5亿"}"#),
        ("大约300", r#"{"value": 300, "bound": "about", "text": "大约300"}"#),
        ("1000左右", r#"{"value": 1000, "bound": "about", "text": "1000左右"}"#),
        ("1000上下", r#"{"value": 1000, "bound": "about", "text": "1000上下"}"#),
        ("约1000左右", r#"{"value": 1000, "bound": "about", "text": "约1000左右"}"#),
        ("共58", r#"{"value": 58, "text": "共58"}"#),
        ("5至10", r#"{"min": 5, "max": 10, "text": "5至10"}"#),
        ("5到10", r#"{"min": 5, "max": 10, "text": "5到10"}"#),
        ("5—10", r#"{"min": 5, "max": 10, "text": "5—10"}"#),
        ("5-10", r#"{"min": 5, "max": 10, "text": "5-10"}"#),
        ("5~10", r#"{"min": 5, "max": 10, "text": "5~10"}"#),
        ("五至十", r#"{"min": 5, "max": 10, "text": "五至十"}"#),
        ("3至5万", r#"{"min": 30000, "max": 50000, "text": "3至5万"}"#),
        ("5—10万", r#"{"min": 50000, "max": 100000, "text": "5—10万"}"#),
        ("3-5亿", r#"{"min": 300000000, "max": 500000000, "text": "3-5亿"}"#),
        ("5000至1万", r#"{"min": 5000, "max": 10000, "text": "5000至1万"}"#),
        ("1.5至2亿", r#"{"min": 150000000, "max": 200000000, "text": "1.5至2亿"}"#),
        ("1至1.5万", r#"{"min": 10000, "max": 15000, "text": "1至1.5万"}"#),
        ("8000万至12000万", r#"{"min": 80000000, "max": 120000000, "text": "8000万至12000万"}"#),
        ("1万至20000万", r#"{"min": 10000, "max": 200000000, "text": "1万至20000万"}"#),
        ("5至5.5万", r#"{"min": 50000, "max": 55000, "text": "5至5.5万"}"#),
        ("约5至10", r#"{"min": 5, "max": 10, "bound": "about", "text": "约5至10"}"#),
    ];

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str)] = &[
        ("", NO_NUMBER),
        ("亿", NO_NUMBER),
        ("万", NO_NUMBER),
        ("很多", NO_NUMBER),
        ("1.2.3", "unexpected \".3\" after the number"),
        ("5000万剂", "unexpected \"剂\" after the number"),
        ("10至5", "unexpected \"至5\" after the number"),
        ("近1000多", "conflicting qualifiers"),
    ];

    #[test]
    fn cases() {
        check("number", CASES);
    }

    #[test]
    fn errors() {
        check_errors("number", ERRORS);
    }
}

mod money {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("5亿美元", r#"{"value": 500000000, "unit": "USD", "text": "5亿美元"}"#),
        ("700亿美元", r#"{"value": 70000000000, "unit": "USD", "text": "700亿美元"}"#),
        ("1.5亿美元", r#"{"value": 150000000, "unit": "USD", "text": "1.5亿美元"}"#),
        ("260亿元人民币", r#"{"value": 26000000000, "unit": "CNY", "text": "260亿元人民币"}"#),
        ("总额260亿元人民币", r#"{"value": 26000000000, "unit": "CNY", "text": "总额260亿元人民币"}"#),
        ("共计5亿元", r#"{"value": 500000000, "unit": "CNY", "text": "共计5亿元"}"#),
        ("累计超过100亿美元", r#"{"value": 10000000000, "bound": "at_least", "unit": "USD", "text": "累计超过100亿美元"}"#),
        ("合计30亿人民币", r#"{"value": 3000000000, "unit": "CNY", "text": "合计30亿人民币"}"#),
        ("总计10亿人民币元", r#"{"value": 1000000000, "unit": "CNY", "text": "总计10亿人民币元"}"#),
        ("人民币260亿元", r#"{"value": 26000000000, "unit": "CNY", "text": "人民币260亿元"}"#),
        ("人民币5000万", r#"{"value": 50000000, "unit": "CNY", "text": "人民币5000万"}"#),
        ("约5亿美元", r#"{"value": 500000000, "bound": "about", "unit": "USD", "text": "约5亿美元"}"#),
        ("100多亿美元", r#"{"value": 10000000000, "bound": "at_least", "unit": "USD", "text": "100多亿美元"}"#),
        ("5亿美元以上", r#"{"value": 500000000, "bound": "at_least", "unit": "USD", "text": "5亿美元以上"}"#),
        ("近1万亿美元", r#"{"value": 1000000000000, "bound": "at_most", "unit": "USD", "text": "近1万亿美元"}"#),
        ("50至100亿元", r#"{"min": 5000000000, "max": 10000000000, "unit": "CNY", "text": "50至100亿元"}"#),
        ("1000万欧元", r#"{"value": 10000000, "unit": "EUR", "text": "1000万欧元"}"#),
        ("20亿日元", r#"{"value": 2000000000, "unit": "JPY", "text": "20亿日元"}"#),
        ("300万英镑", r#"{"value": 3000000, "unit": "GBP", "text": "300万英镑"}"#),
        ("10亿卢布", r#"{"value": 1000000000, "unit": "RUB", "text": "10亿卢布"}"#),
        ("5亿港元", r#"{"value": 500000000, "unit": "HKD", "text": "5亿港元"}"#),
        ("5亿港币", r#"{"value": 500000000, "unit": "HKD", "text": "5亿港币"}"#),
        ("100亿坚戈", r#"{"value": 10000000000, "unit": "KZT", "text": "100亿坚戈"}"#),
        ("1亿索姆", r#"{"value": 100000000, "unit": "KGS", "text": "1亿索姆"}"#),
        ("1亿苏姆", r#"{"value": 100000000, "unit": "UZS", "text": "1亿苏姆"}"#),
        ("2.55元", r#"{"value": 2.55, "unit": "CNY", "text": "2.55元"}"#),
        ("100亿元贷款", r#"{"value": 10000000000, "unit": "CNY", "noun": "贷款", "text": "100亿元贷款"}"#),
        ("5亿美元的无偿援助", r#"{"value": 500000000, "unit": "USD", "noun": "无偿援助", "text": "5亿美元的无偿援助"}"#),
        ("十亿美元", r#"{"value": 1000000000, "unit": "USD", "text": "十亿美元"}"#),
        ("千亿美元", r#"{"value": 100000000000, "unit": "USD", "text": "千亿美元"}"#),
        ("10亿多美元", r#"{"value": 1000000000, "bound": "at_least", "unit": "USD", "text": "10亿多美元"}"#),
        ("200亿元人民币无偿援助", r#"{"value": 20000000000, "unit": "CNY", "noun": "无偿援助", "text": "200亿元人民币无偿援助"}"#),
        ("港币100亿元", r#"{"value": 10000000000, "unit": "HKD", "text": "港币100亿元"}"#),
        // Shapes the rule files missed (issue 11): a lone 一/两 before 万/亿, 数百亿.
        ("两亿美元", r#"{"value": 200000000, "unit": "USD", "text": "两亿美元"}"#),
        ("一亿美元", r#"{"value": 100000000, "unit": "USD", "text": "一亿美元"}"#),
        ("数百亿元", r#"{"value": 10000000000, "bound": "at_least", "unit": "CNY", "text": "数百亿元"}"#),
        // Ranges: a bare lower end takes the upper end's unit, or stands alone when near it.
        ("3至5亿元", r#"{"min": 300000000, "max": 500000000, "unit": "CNY", "text": "3至5亿元"}"#),
        ("500至3万元", r#"{"min": 500, "max": 30000, "unit": "CNY", "text": "500至3万元"}"#),
        // The largest whole number facts.json keeps exactly.
        ("9223372036854775807元", r#"{"value": 9223372036854775807, "unit": "CNY", "text": "9223372036854775807元"}"#),
    ];

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str)] = &[
        ("5000个", NO_CURRENCY),
        ("5亿", NO_CURRENCY),
        ("美元", NO_NUMBER),
        ("", NO_NUMBER),
        ("约5亿美元以下", "conflicting qualifiers"),
        // Exact or refused, never a float: 1e+28 was written before.
        ("99999999999999999999亿元", "9999999999999999999900000000 is too large to keep exactly (facts.json holds whole numbers up to 9223372036854775807)"),
        ("9223372036854775808元", "9223372036854775808 is too large to keep exactly (facts.json holds whole numbers up to 9223372036854775807)"),
        ("1.23456789012345678901亿元", "123456789.012345678901 has more digits than facts.json can keep exactly"),
        ("9999999999999999999999999999999999999999999元", "the number 9999999999999999999999999999999999999999999 has more digits than factsheet reads (at most 30)"),
        // 5 yuan to 3亿 was read before; scaled, the range runs backwards.
        ("5至3亿元", "the range runs backwards: its lower end (500000000) is more than its upper end (300000000)"),
        ("3，600亿元", "the full-width comma in \"3，600\" is not a thousands separator (write 3,600 or 3600); read alone, 3 has nothing after it"),
    ];

    #[test]
    fn cases() {
        check("money", CASES);
    }

    #[test]
    fn errors() {
        check_errors("money", ERRORS);
    }
}

mod count {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("5000万剂", r#"{"value": 50000000, "unit": "剂", "text": "5000万剂"}"#),
        ("1200个", r#"{"value": 1200, "unit": "个", "text": "1200个"}"#),
        ("5000个研修研讨名额", r#"{"value": 5000, "unit": "个", "noun": "研修研讨名额", "text": "5000个研修研讨名额"}"#),
        ("1200个中国政府奖学金名额", r#"{"value": 1200, "unit": "个", "noun": "中国政府奖学金名额", "text": "1200个中国政府奖学金名额"}"#),
        ("100对", r#"{"value": 100, "unit": "对", "text": "100对"}"#),
        ("58对", r#"{"value": 58, "unit": "对", "text": "58对"}"#),
        ("4所", r#"{"value": 4, "unit": "所", "text": "4所"}"#),
        ("7份", r#"{"value": 7, "unit": "份", "text": "7份"}"#),
        ("3300多公里", r#"{"value": 3300, "bound": "at_least", "unit": "公里", "text": "3300多公里"}"#),
        ("超3800亿立方米", r#"{"value": 380000000000, "bound": "at_least", "unit": "立方米", "text": "超3800亿立方米"}"#),
        ("逾2.5万列", r#"{"value": 25000, "bound": "at_least", "unit": "列", "text": "逾2.5万列"}"#),
        ("近1万公里", r#"{"value": 10000, "bound": "at_most", "unit": "公里", "text": "近1万公里"}"#),
        ("1360多万平方公里", r#"{"value": 13600000, "bound": "at_least", "unit": "平方公里", "text": "1360多万平方公里"}"#),
        ("近15亿人", r#"{"value": 1500000000, "bound": "at_most", "unit": "人", "text": "近15亿人"}"#),
        ("100余份", r#"{"value": 100, "bound": "at_least", "unit": "份", "text": "100余份"}"#),
        ("千余个", r#"{"value": 1000, "bound": "at_least", "unit": "个", "text": "千余个"}"#),
        ("上千万人", r#"{"value": 10000000, "bound": "at_least", "unit": "人", "text": "上千万人"}"#),
        ("上百倍", r#"{"value": 100, "bound": "at_least", "unit": "倍", "text": "上百倍"}"#),
        ("上亿人", r#"{"value": 100000000, "bound": "at_least", "unit": "人", "text": "上亿人"}"#),
        ("数百个", r#"{"value": 100, "bound": "at_least", "unit": "个", "text": "数百个"}"#),
        ("近百个", r#"{"value": 100, "bound": "at_most", "unit": "个", "text": "近百个"}"#),
        ("百余个", r#"{"value": 100, "bound": "at_least", "unit": "个", "text": "百余个"}"#),
        ("100多个国家", r#"{"value": 100, "bound": "at_least", "unit": "个", "noun": "国家", "text": "100多个国家"}"#),
        ("3万多名", r#"{"value": 30000, "bound": "at_least", "unit": "名", "text": "3万多名"}"#),
        ("万余人", r#"{"value": 10000, "bound": "at_least", "unit": "人", "text": "万余人"}"#),
        ("十几个国家", r#"{"value": 10, "bound": "at_least", "unit": "个", "noun": "国家", "text": "十几个国家"}"#),
        ("1000人左右", r#"{"value": 1000, "bound": "about", "unit": "人", "text": "1000人左右"}"#),
        ("共58对", r#"{"value": 58, "unit": "对", "text": "共58对"}"#),
        ("5000多名学生", r#"{"value": 5000, "bound": "at_least", "unit": "名", "noun": "学生", "text": "5000多名学生"}"#),
        ("两国", r#"{"value": 2, "unit": "国", "text": "两国"}"#),
        ("五国", r#"{"value": 5, "unit": "国", "text": "五国"}"#),
        ("100万人次", r#"{"value": 1000000, "unit": "人次", "text": "100万人次"}"#),
        ("1000万千瓦", r#"{"value": 10000000, "unit": "千瓦", "text": "1000万千瓦"}"#),
        ("100千瓦", r#"{"value": 100, "unit": "千瓦", "text": "100千瓦"}"#),
        ("3千米", r#"{"value": 3, "unit": "千米", "text": "3千米"}"#),
        ("5千名", r#"{"value": 5000, "unit": "名", "text": "5千名"}"#),
        ("5至10个", r#"{"min": 5, "max": 10, "unit": "个", "text": "5至10个"}"#),
        ("3至5万吨", r#"{"min": 30000, "max": 50000, "unit": "吨", "text": "3至5万吨"}"#),
        ("6个月", r#"{"value": 6, "unit": "个月", "text": "6个月"}"#),
        ("8.1%", r#"{"value": 8.1, "unit": "%", "text": "8.1%"}"#),
        ("1,200座", r#"{"value": 1200, "unit": "座", "text": "1,200座"}"#),
        ("5000名额", r#"{"value": 5000, "unit": "名额", "text": "5000名额"}"#),
        ("一万个", r#"{"value": 10000, "unit": "个", "text": "一万个"}"#),
        ("十万八千个", r#"{"value": 108000, "unit": "个", "text": "十万八千个"}"#),
        ("5000至1万个", r#"{"min": 5000, "max": 10000, "unit": "个", "text": "5000至1万个"}"#),
    ];

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str)] = &[
        ("5000", NO_MEASURE_WORD),
        ("5亿美元", NO_MEASURE_WORD),
        ("3800亿立方", NO_MEASURE_WORD),
        ("一带一路", NO_MEASURE_WORD),
        ("万人", NO_NUMBER),
        ("个", NO_NUMBER),
        ("近1000多人", "conflicting qualifiers"),
    ];

    #[test]
    fn cases() {
        check("count", CASES);
    }

    #[test]
    fn errors() {
        check_errors("count", ERRORS);
    }
}

mod quantity {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("5亿美元", r#"{"value": 500000000, "unit": "USD", "text": "5亿美元"}"#),
        ("总额260亿元人民币", r#"{"value": 26000000000, "unit": "CNY", "text": "总额260亿元人民币"}"#),
        ("人民币260亿元", r#"{"value": 26000000000, "unit": "CNY", "text": "人民币260亿元"}"#),
        ("5000万剂", r#"{"value": 50000000, "unit": "剂", "text": "5000万剂"}"#),
        ("5000个研修研讨名额", r#"{"value": 5000, "unit": "个", "noun": "研修研讨名额", "text": "5000个研修研讨名额"}"#),
        ("20个元首", r#"{"value": 20, "unit": "个", "noun": "元首", "text": "20个元首"}"#),
        ("超3800亿立方米", r#"{"value": 380000000000, "bound": "at_least", "unit": "立方米", "text": "超3800亿立方米"}"#),
    ];

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str)] = &[
        ("5000", NO_MEASURE_WORD),
        ("很快", NO_NUMBER),
        ("约5亿美元以下", "conflicting qualifiers"),
    ];

    #[test]
    fn cases() {
        check("quantity", CASES);
    }

    #[test]
    fn errors() {
        check_errors("quantity", ERRORS);
    }
}

mod period {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("未来3年", r#"{"kind": "within", "years": 3, "text": "未来3年"}"#),
        ("今后5年", r#"{"kind": "within", "years": 5, "text": "今后5年"}"#),
        ("3年内", r#"{"kind": "within", "years": 3, "text": "3年内"}"#),
        ("未来三年", r#"{"kind": "within", "years": 3, "text": "未来三年"}"#),
        ("未来十年", r#"{"kind": "within", "years": 10, "text": "未来十年"}"#),
        ("今后两年内", r#"{"kind": "within", "years": 2, "text": "今后两年内"}"#),
        ("在未来3年里", r#"{"kind": "within", "years": 3, "text": "在未来3年里"}"#),
        ("未来5至10年", r#"{"kind": "within", "years": {"min": 5, "max": 10}, "text": "未来5至10年"}"#),
        ("未来五到十年", r#"{"kind": "within", "years": {"min": 5, "max": 10}, "text": "未来五到十年"}"#),
        ("未来十多年", r#"{"kind": "within", "years": 10, "bound": "at_least", "text": "未来十多年"}"#),
        ("未来6个月", r#"{"kind": "within", "months": 6, "text": "未来6个月"}"#),
        ("到2030年", r#"{"kind": "by", "year": 2030, "text": "到2030年"}"#),
        ("至2030年", r#"{"kind": "by", "year": 2030, "text": "至2030年"}"#),
        ("2030年前", r#"{"kind": "by", "year": 2030, "text": "2030年前"}"#),
        ("2030年以前", r#"{"kind": "by", "year": 2030, "text": "2030年以前"}"#),
        ("到2030年底", r#"{"kind": "by", "year": 2030, "text": "到2030年底"}"#),
        ("到2030年前", r#"{"kind": "by", "year": 2030, "text": "到2030年前"}"#),
        ("截至2025年", r#"{"kind": "by", "year": 2025, "text": "截至2025年"}"#),
        ("到二〇三五年", r#"{"kind": "by", "year": 2035, "text": "到二〇三五年"}"#),
        ("2022年", r#"{"kind": "in", "year": 2022, "text": "2022年"}"#),
        ("在2022年", r#"{"kind": "in", "year": 2022, "text": "在2022年"}"#),
        ("2022年内", r#"{"kind": "in", "year": 2022, "text": "2022年内"}"#),
        ("2025年起", r#"{"kind": "from", "year": 2025, "text": "2025年起"}"#),
        ("从2025年起", r#"{"kind": "from", "year": 2025, "text": "从2025年起"}"#),
        ("自2025年开始", r#"{"kind": "from", "year": 2025, "text": "自2025年开始"}"#),
        ("从2025年", r#"{"kind": "from", "year": 2025, "text": "从2025年"}"#),
        ("今年", r#"{"kind": "in", "relative_year": 0, "text": "今年"}"#),
        ("明年", r#"{"kind": "in", "relative_year": 1, "text": "明年"}"#),
        ("明年起", r#"{"kind": "from", "relative_year": 1, "text": "明年起"}"#),
        ("今年年底前", r#"{"kind": "by", "relative_year": 0, "text": "今年年底前"}"#),
    ];

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str)] = &[
        ("很快", "not a period"),
        ("", "not a period"),
        ("3年", "not a period"),
        ("未来几年", "not a period"),
        ("2030年前后", "not a period"),
        ("从2030年前", "not a period"),
        ("到2030年起", "not a period"),
        ("2025年初", "not a period"),
        ("未来3天", "not a period"),
    ];

    #[test]
    fn cases() {
        check("period", CASES);
    }

    #[test]
    fn errors() {
        check_errors("period", ERRORS);
    }
}

mod year {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("2030", r#"{"value": 2030, "text": "2030"}"#),
        ("2030年", r#"{"value": 2030, "text": "2030年"}"#),
        ("二〇三〇年", r#"{"value": 2030, "text": "二〇三〇年"}"#),
        ("二零二二年", r#"{"value": 2022, "text": "二零二二年"}"#),
        ("一九九七年", r#"{"value": 1997, "text": "一九九七年"}"#),
    ];

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str)] = &[
        ("30年", "not a four-digit year"),
        ("20300年", "not a four-digit year"),
        ("0030年", "not a four-digit year"),
        ("20三0年", "not a four-digit year"),
        ("2030年前", "not a four-digit year"),
        ("明年", "not a four-digit year"),
        ("", "not a four-digit year"),
    ];

    #[test]
    fn cases() {
        check("year", CASES);
    }

    #[test]
    fn errors() {
        check_errors("year", ERRORS);
    }
}

mod ordinal {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("第一", r#"{"value": 1, "text": "第一"}"#),
        ("第十二", r#"{"value": 12, "text": "第十二"}"#),
        ("第二十", r#"{"value": 20, "text": "第二十"}"#),
        ("一是", r#"{"value": 1, "text": "一是"}"#),
        ("八是", r#"{"value": 8, "text": "八是"}"#),
        ("其一", r#"{"value": 1, "text": "其一"}"#),
        ("其三", r#"{"value": 3, "text": "其三"}"#),
        ("首先", r#"{"value": 1, "text": "首先"}"#),
        ("其次", r#"{"value": 2, "text": "其次"}"#),
        ("第5", r#"{"value": 5, "text": "第5"}"#),
        ("八", r#"{"value": 8, "text": "八"}"#),
        ("（三）", r#"{"value": 3, "text": "（三）"}"#),
        ("(4)", r#"{"value": 4, "text": "(4)"}"#),
        ("3.", r#"{"value": 3, "text": "3."}"#),
        ("十、", r#"{"value": 10, "text": "十、"}"#),
        ("②", r#"{"value": 2, "text": "②"}"#),
        ("第三届", r#"{"value": 3, "text": "第三届"}"#),
        ("首届", r#"{"value": 1, "text": "首届"}"#),
    ];

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str)] = &[
        ("第零", "not an ordinal"),
        ("第1.5", "not an ordinal"),
        ("第", "not an ordinal"),
        ("首", "not an ordinal"),
        ("其他", "not an ordinal"),
        ("最后", "not an ordinal"),
        ("", "not an ordinal"),
    ];

    #[test]
    fn cases() {
        check("ordinal", CASES);
    }

    #[test]
    fn errors() {
        check_errors("ordinal", ERRORS);
    }
}

mod list {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("相互尊重、睦邻友好、同舟共济、互利共赢", r#"["相互尊重", "睦邻友好", "同舟共济", "互利共赢"]"#),
        ("外交、经贸、海关等", r#"["外交", "经贸", "海关"]"#),
        ("外交、经贸、海关等等", r#"["外交", "经贸", "海关"]"#),
        ("能源、交通和农业", r#"["能源", "交通", "农业"]"#),
        ("能源、交通以及农业", r#"["能源", "交通", "农业"]"#),
        ("教育、文化及旅游", r#"["教育", "文化", "旅游"]"#),
        ("中国与中亚国家", r#"["中国", "中亚国家"]"#),
        ("经贸，人文", r#"["经贸", "人文"]"#),
        ("“一带一路”、“中间走廊”", r#"["一带一路", "中间走廊"]"#),
        ("「和平」、 发展 ", r#"["和平", "发展"]"#),
        ("“一带一路”倡议", r#"["“一带一路”倡议"]"#),
        ("外交、、经贸、", r#"["外交", "经贸"]"#),
        ("公平、正义、平等", r#"["公平", "正义", "平等"]"#),
        ("和平发展", r#"["和平发展"]"#),
        ("坚持和平共处", r#"["坚持和平共处"]"#),
        ("参与全球治理", r#"["参与全球治理"]"#),
        ("和平与发展", r#"["和平", "发展"]"#),
        ("安全、和平共处", r#"["安全", "和平共处"]"#),
        ("A和B", r#"["A和B"]"#),
        ("中国和俄罗斯", r#"["中国", "俄罗斯"]"#),
        ("中国及其伙伴", r#"["中国及其伙伴"]"#),
        ("可以及时沟通", r#"["可以及时沟通"]"#),
        ("能源、交通和农业与卫生", r#"["能源", "交通", "农业与卫生"]"#),
        ("单独一项", r#"["单独一项"]"#),
    ];

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str)] = &[("", "no items"), ("、，", "no items"), ("等", "no items")];

    #[test]
    fn cases() {
        check("list", CASES);
    }

    #[test]
    fn errors() {
        check_errors("list", ERRORS);
    }
}

mod frequency {
    use super::*;

    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        ("每两年举办一次", r#"{"every": 2, "per": "year", "text": "每两年举办一次"}"#),
        ("每两年一次", r#"{"every": 2, "per": "year", "text": "每两年一次"}"#),
        ("每年", r#"{"every": 1, "per": "year", "text": "每年"}"#),
        ("一年一度", r#"{"every": 1, "per": "year", "text": "一年一度"}"#),
        ("两年一届", r#"{"every": 2, "per": "year", "text": "两年一届"}"#),
        ("每年举办一次", r#"{"every": 1, "per": "year", "text": "每年举办一次"}"#),
        ("每年举行", r#"{"every": 1, "per": "year", "text": "每年举行"}"#),
        ("每三个月", r#"{"every": 3, "per": "month", "text": "每三个月"}"#),
        ("每个月", r#"{"every": 1, "per": "month", "text": "每个月"}"#),
        ("每月", r#"{"every": 1, "per": "month", "text": "每月"}"#),
        ("每季度", r#"{"every": 3, "per": "month", "text": "每季度"}"#),
        ("每半年", r#"{"every": 6, "per": "month", "text": "每半年"}"#),
        ("每周", r#"{"every": 1, "per": "week", "text": "每周"}"#),
        ("每两周", r#"{"every": 2, "per": "week", "text": "每两周"}"#),
        ("每天", r#"{"every": 1, "per": "day", "text": "每天"}"#),
        ("每日", r#"{"every": 1, "per": "day", "text": "每日"}"#),
        ("每年度", r#"{"every": 1, "per": "year", "text": "每年度"}"#),
        ("每隔两年", r#"{"every": 2, "per": "year", "text": "每隔两年"}"#),
        ("每年两次", r#"{"every": 1, "per": "year", "times": 2, "text": "每年两次"}"#),
        ("每年举行两次", r#"{"every": 1, "per": "year", "times": 2, "text": "每年举行两次"}"#),
        ("一年两次", r#"{"every": 1, "per": "year", "times": 2, "text": "一年两次"}"#),
        ("每月3次", r#"{"every": 1, "per": "month", "times": 3, "text": "每月3次"}"#),
    ];

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str)] = &[
        ("很快", "not a frequency"),
        ("每", "not a frequency"),
        ("", "not a frequency"),
        ("两年", "neither 每… nor …一次/一度"),
        ("两年举办一次", "neither 每… nor …一次/一度"),
        ("每年增长5%", "unexpected \"增长5%\" after the interval"),
        ("每年举办次", "no count before 次"),
    ];

    #[test]
    fn cases() {
        check("frequency", CASES);
    }

    #[test]
    fn errors() {
        check_errors("frequency", ERRORS);
    }
}
