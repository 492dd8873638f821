//! The scalar functions, one test per documented behaviour, with Sumo's own
//! examples where its operator pages give them.

mod support;

use support::{compile_errors, record, rows, run, value};

#[test]
fn format_date_uses_java_patterns_in_utc() {
    assert_eq!(
        value(r#"formatDate(1709647629045, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")"#),
        "2024-03-05T14:07:09.045Z"
    );
    assert_eq!(value(r#"formatDate(1709647629045, "EEE")"#), "Tue");
    assert_eq!(
        value(r#"formatDate(1709647629045)"#),
        "03/05/2024 14:07:09.045 +0000"
    );
    assert_eq!(
        value(r#"formatDate(1709647629045, "MM-dd-yyyy HH:mm", "America/New_York")"#),
        "03-05-2024 09:07"
    );
    assert_eq!(
        value(r#"formatDate(toLong("1709647629045"), "yyyy")"#),
        "2024"
    );
}

#[test]
fn format_date_of_bad_input_is_null() {
    assert_eq!(value(r#"formatDate("yesterday", "yyyy")"#), "∅");
    assert_eq!(value(r#"formatDate(0, "yyyy-qq")"#), "∅");
    assert_eq!(value(r#"formatDate(0, "yyyy", "Nowhere/City")"#), "∅");
}

#[test]
fn format_date_of_message_time() {
    let records = [record(&[("_messageTime", "86400000")])];
    let table = run(
        r#"| formatDate(_messageTime, "dd/MM/yyyy") as day | fields day"#,
        &records,
    );
    assert_eq!(support::lines(&table), ["02/01/1970"]);
}

#[test]
fn parse_date_reads_what_format_date_writes() {
    assert_eq!(
        value(r#"parseDate("2019-11-18T19:00:00.000-08:00", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")"#),
        "1574132400000"
    );
    assert_eq!(
        value(
            r#"parseDate("11/18/2019 07:00:00 PM", "MM/dd/yyyy hh:mm:ss a", "America/Los_Angeles")"#
        ),
        "1574132400000"
    );
    assert_eq!(value(r#"parseDate("not a date", "yyyy")"#), "∅");
    assert_eq!(
        value(r#"toMillis(parseDate("1970-01-02", "yyyy-MM-dd"))"#),
        "86400000"
    );
}

#[test]
fn time_conversions_of_sumo_content() {
    assert_eq!(
        value(r#"formatDate(fromSeconds(86400), "yyyy-MM-dd")"#),
        "1970-01-02"
    );
    assert_eq!(
        value(r#"formatDate(fromMillis(86400000), "yyyy-MM-dd")"#),
        "1970-01-02"
    );
}

#[test]
fn now_is_the_current_time() {
    let now: f64 = value("now()").parse().unwrap();
    let expected = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as f64;
    assert!((now - expected).abs() < 60_000.0, "{now} vs {expected}");
}

/// NOTE: the search range is not known to the engine yet, so both are null.
#[test]
fn query_time_range_is_null_without_a_range() {
    assert_eq!(value("queryStartTime()"), "∅");
    assert_eq!(value("queryEndTime() - queryStartTime()"), "∅");
}

#[test]
fn url_and_base64_codecs() {
    assert_eq!(
        value(r#"urldecode("http%3A%2F%2Fa.org%2Fx%3Fq%3D1%26r+s")"#),
        "http://a.org/x?q=1&r s"
    );
    assert_eq!(value(r#"urlencode("a b&c")"#), "a+b%26c");
    assert_eq!(
        value(r#"base64Decode("aHR0cDovL2NvZGVjLmFwYWNoZS5vcmcvY29tbW1vbnM=")"#),
        "http://codec.apache.org/commmons"
    );
    assert_eq!(
        value(
            r#"base64Decode("VABoAGkAcwAgAGkAcwAgAGEAIAB0AGUAcwB0ACAAcwB0AHIAaQBuAGcA", "UTF-16LE")"#
        ),
        "This is a test string"
    );
    assert_eq!(value(r#"base64Decode("!!not base64")"#), "!!not base64");
    assert_eq!(
        value(r#"base64Encode("whoami", "UTF-16LE")"#),
        "dwBoAG8AYQBtAGkA"
    );
    assert_eq!(value(r#"base64Decode("x", "EBCDIC")"#), "∅");
}

#[test]
fn ip_tests_follow_the_documented_examples() {
    assert_eq!(value(r#"isValidIP("127.0.500.1")"#), "false");
    assert_eq!(value(r#"isValidIP("2001:db8::ff00:42:8329")"#), "true");
    assert_eq!(value(r#"isValidIPv4("2001:db8::1")"#), "false");
    assert_eq!(value(r#"isValidIPv6("2001:db8::1")"#), "true");
    assert_eq!(value(r#"isPrivateIP("10.255.255.255")"#), "true");
    assert_eq!(value(r#"isPrivateIP("192.168.0.1")"#), "true");
    assert_eq!(value(r#"isPrivateIP("127.0.0.1")"#), "false");
    assert_eq!(value(r#"isPublicIP("10.255.255.255")"#), "false");
    assert_eq!(value(r#"isPublicIP("8.8.8.8")"#), "true");
    assert_eq!(value(r#"isReservedIP("169.254.0.0")"#), "true");
    assert_eq!(value(r#"isPrivateIP("not an ip")"#), "∅");
}

#[test]
fn invalid_addresses_fail_where_tests() {
    let records = [
        record(&[("ip", "10.1.2.3")]),
        record(&[("ip", "8.8.4.4")]),
        record(&[("ip", "garbage")]),
    ];
    assert_eq!(
        rows("| where isPrivateIP(ip) | fields ip", &records),
        ["10.1.2.3"]
    );
    assert_eq!(
        rows("| where isPublicIP(ip) | fields ip", &records),
        ["8.8.4.4"]
    );
}

#[test]
fn cidr_functions() {
    assert_eq!(value(r#"getCIDRPrefix("10.10.1.35", "24")"#), "10.10.1.0");
    assert_eq!(value(r#"getCIDRPrefix("10.10.1.35", "27")"#), "10.10.1.32");
    assert_eq!(
        value(r#"compareCIDRPrefix("10.10.1.32", "10.10.1.35", "27")"#),
        "true"
    );
    assert_eq!(
        value(r#"compareCIDRPrefix("172.16.0.0", "172.32.0.1", toInt(12))"#),
        "false"
    );
    assert_eq!(value(r#"maskFromCIDR("30")"#), "255.255.255.252");
    assert_eq!(value(r#"ipv4ToNumber("10.0.0.1")"#), "167772161");
}

#[test]
fn rfc1918_without_regex() {
    let records = [
        record(&[("DestIP", "172.16.5.4")]),
        record(&[("DestIP", "172.32.0.1")]),
        record(&[("DestIP", "192.168.1.1")]),
    ];
    let query = r#"| where !(compareCIDRPrefix("10.0.0.0", DestIP, "8") or compareCIDRPrefix("172.16.0.0", DestIP, "12") or compareCIDRPrefix("192.168.0.0", DestIP, "16")) | fields DestIP"#;
    assert_eq!(rows(query, &records), ["172.32.0.1"]);
}

#[test]
fn format_follows_java() {
    assert_eq!(
        value(r#"format("%s : %s", "Five Minute Rate is :", "12")"#),
        "Five Minute Rate is : : 12"
    );
    assert_eq!(value(r#"format("$%,.2f", 1234567.891)"#), "$1,234,567.89");
    assert_eq!(
        value(r#"format("%d/%d/%d", "12", "31", "2024")"#),
        "12/31/2024"
    );
    assert_eq!(value(r#"format("%.3f %s", 0.5, "%")"#), "0.500 %");
    assert_eq!(value(r#"format("%d", "abc")"#), "∅");
}

#[test]
fn replace_with_a_regex_follows_the_documented_examples() {
    let records = [record(&[(
        "url",
        "http://somewebsite.com/flight/12345678/certification",
    )])];
    let query = r#"| replace(url, /[0-9]{5,}/, "") as bare | replace(url, /(flight)\/([0-9]{5,})/, "new-$2-url") as grouped
        | replace(url, /(?<id>[0-9]{5,})/, "\\$${id}") as priced | fields bare, grouped, priced"#;
    assert_eq!(
        rows(query, &records),
        ["http://somewebsite.com/flight//certification|http://somewebsite.com/new-12345678-url/certification|http://somewebsite.com/flight/$12345678/certification"]
    );
}

#[test]
fn hex_numbers() {
    assert_eq!(value(r#"hexToDec("0000000000001337")"#), "4919");
    assert_eq!(value(r#"parseHex("0x12D230")"#), "1233456");
    assert_eq!(value(r#"hexToDec("nothex")"#), "∅");
}

#[test]
fn math_functions() {
    assert_eq!(value("pow(2, 10)"), "1024");
    assert_eq!(value("sqrt(16)"), "4");
    assert_eq!(value("sqrt(-1)"), "∅");
    assert_eq!(value("log10(1000)"), "3");
    assert_eq!(value("log(1)"), "0");
    assert_eq!(value("exp(0)"), "1");
    // A stage that starts with `max(` is the aggregate; inside an
    // expression the two-argument form is the scalar maximum.
    assert_eq!(value("0 + max(3, 7)"), "7");
    assert_eq!(value("0 + min(3, 7)"), "3");
    assert_eq!(value("round(2.345, 2)"), "2.35");
    assert_eq!(value("5m / 1000"), "300");
    assert_eq!(value("1Ki"), "1024");
}

#[test]
fn haversine_matches_the_documented_example() {
    let kilometres: f64 = value("haversine(39.04380, -77.48790, 45.73723, -119.81143)")
        .parse()
        .unwrap();
    assert!((kilometres - 3512.71).abs() < 0.005, "{kilometres}");
}

#[test]
fn json_array_functions() {
    assert_eq!(
        value(r#"jsonArrayContains("[\"foo\", \"bar\"]", "foo")"#),
        "true"
    );
    assert_eq!(value(r#"jsonArrayContains("[1, 2]", "3")"#), "false");
    assert_eq!(value(r#"jsonArraySize("[1, 2, 3]")"#), "3");
    assert_eq!(value("jsonArraySize(missing)"), "-1");
}

#[test]
fn tourl_writes_a_markdown_link() {
    assert_eq!(
        value(r#"tourl("https://example.org/s", "Search")"#),
        "[Search](https://example.org/s)"
    );
    assert_eq!(
        value(r#"tourl("https://x.org", "10:00", "Failed at: ", "")"#),
        "[Failed at: 10:00](https://x.org)"
    );
}

#[test]
fn in_and_not_in() {
    let records = [
        record(&[("code", "404")]),
        record(&[("code", "500")]),
        record(&[("other", "x")]),
    ];
    assert_eq!(
        rows(r#"| where code in ("404", 403) | fields code"#, &records),
        ["404"]
    );
    assert_eq!(
        rows(
            r#"| where code not in ("404", "403") | fields code"#,
            &records
        ),
        ["500"]
    );
    assert_eq!(
        rows(r#"| where !(code in ("404")) | fields code"#, &records),
        ["500", "∅"]
    );
}

#[test]
fn matches_inside_if() {
    let records = [
        record(&[("ref", "https://www.google.com/x")]),
        record(&[("ref", "https://bing.com")]),
    ];
    let query = r#"| if(ref matches "*google.*", "Google", "other") as engine | fields engine"#;
    assert_eq!(rows(query, &records), ["Google", "other"]);
}

#[test]
fn bare_function_stage_converts_its_field_in_place() {
    let records = [record(&[
        ("region", "US-East"),
        ("hours", "12.5"),
        ("url", "a%20b"),
    ])];
    let query = "| toLowerCase(region) | num(hours) | urldecode(url) | hours * 2 as double | fields region, double, url";
    assert_eq!(rows(query, &records), ["us-east|25|a b"]);
}

#[test]
fn bare_test_stage_keeps_its_argument() {
    let records = [record(&[("ip", "10.0.0.1")])];
    assert_eq!(
        rows("| isPrivateIP(ip) | fields ip, _isprivateip", &records),
        ["10.0.0.1|true"]
    );
    assert_eq!(
        rows("| now() | where _now > 0 | fields ip", &records),
        ["10.0.0.1"]
    );
}

#[test]
fn function_errors_name_the_function() {
    assert_eq!(
        compile_errors(r#"| formatDate() as x"#),
        ["wrong number of arguments: `formatDate` takes 1 to 3 argument(s), found 0"]
    );
    assert_eq!(
        compile_errors("| fromatDate(x) as y")[0],
        "unknown function `fromatDate`: not a function sumoql knows"
    );
}
