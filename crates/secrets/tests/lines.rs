//! A name and its value on different lines: YAML block scalars, a value under its
//! name (JSON, YAML, property lists), Terraform variables and strings concatenated
//! one part per line are found by every rule, once, on the value's line.
//! The values are random fakes of the right shape.
#![allow(clippy::panic)]
use vigil_model::Origin;
use vigil_secrets::{builtin_rule_specs, Allowlist, Detector, DetectorOptions, Fragment, Rule};

fn detector() -> Detector {
    let rules = builtin_rule_specs()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|s| Rule::compile(s, "builtin").unwrap_or_else(|e| panic!("{e}")))
        .collect();
    Detector::new(rules, Allowlist::default(), DetectorOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// (rule, line, secret) of each finding in `text`, scanned as `path`.
fn found(d: &Detector, path: &str, text: &str) -> Vec<(String, u32, String)> {
    let origin = Origin::path(path);
    d.scan(&Fragment::new(&origin, text.as_bytes()))
        .iter()
        .map(|f| {
            let secret = String::from_utf8_lossy(f.secret.expose()).into_owned();
            (f.rule.to_string(), f.location.line, secret)
        })
        .collect()
}

fn one(rule: &str, line: u32, secret: &str) -> Vec<(String, u32, String)> {
    vec![(rule.to_owned(), line, secret.to_owned())]
}

#[test]
fn yaml_block_scalars_report_the_value_line() {
    let d = detector();
    for indicator in ["|", "|-", ">", ">-", "|2", "|+", ">2-"] {
        let yaml = format!(
            "database:\n  host: db.internal\n  db_password: {indicator}\n    7zgpbHdXvd4FO9\n  port: 5432\n"
        );
        assert_eq!(
            found(&d, "config.yaml", &yaml),
            one("generic-password", 4, "7zgpbHdXvd4FO9"),
            "{indicator}"
        );
    }
    // With CRLF line ends and a blank line before the value.
    let crlf = "db_password: |\r\n\r\n  7zgpbHdXvd4FO9\r\nport: 5432\r\n";
    assert_eq!(
        found(&d, "config.yaml", crlf),
        one("generic-password", 3, "7zgpbHdXvd4FO9")
    );
    // A provider rule that needs its name sees it too.
    let stripe = "stripe:\n  secret_key: |\n    sk_live_GIWqzL15x7XV6DALPSA6oHVE\n";
    assert_eq!(
        found(&d, "config.yaml", stripe),
        one("stripe-secret-key", 3, "sk_live_GIWqzL15x7XV6DALPSA6oHVE")
    );
    // A block of several lines is not one value; a lookup is still a lookup.
    let multi =
        "notes: |\n  the password is rotated\n  every month\npassword: |\n  ${DB_PASSWORD}\n";
    assert_eq!(found(&d, "config.yaml", multi), vec![]);
}

#[test]
fn a_value_under_its_name_json_and_plist() {
    let d = detector();
    let json = "{\n  \"user\": \"svc\",\n  \"password\":\n    \"3zP1X01YC6QaYoOY\",\n  \"port\": 5432\n}\n";
    assert_eq!(
        found(&d, "settings.json", json),
        one("generic-password", 4, "3zP1X01YC6QaYoOY")
    );
    let plist = "<dict>\n\t<key>Password</key>\n\t<string>3zP1X01YC6QaYoOY</string>\n\t<key>User</key>\n\t<string>svc</string>\n</dict>\n";
    assert_eq!(
        found(&d, "Info.plist", plist),
        one("generic-password", 3, "3zP1X01YC6QaYoOY")
    );
    let yaml = "api_token:\n  j3jotSIdKzJizX1hOTOSrrHjXNi6xDk8\nnext: 1\n";
    assert_eq!(
        found(&d, "a.yaml", yaml),
        one("generic-token", 2, "j3jotSIdKzJizX1hOTOSrrHjXNi6xDk8")
    );
    // Code whose line ends like a name does not take the next line as its value.
    let code = "if token:\n    return refresh_session_now\nfor password in passwords:\n    check(password)\n";
    assert_eq!(found(&d, "a.py", code), vec![]);
}

#[test]
fn terraform_variable_defaults() {
    let d = detector();
    let tf = "variable \"db_password\" {\n  type      = string\n  sensitive = true\n  default   = \"3zP1X01YC6QaYoOY\"\n}\n";
    assert_eq!(
        found(&d, "variables.tf", tf),
        one("generic-password", 4, "3zP1X01YC6QaYoOY")
    );
    // A default that reads from elsewhere, or no default: nothing.
    let lookup = "variable \"db_password\" {\n  default = \"${var.fallback}\"\n}\nvariable \"api_token\" {\n  type = string\n}\noutput \"x\" {\n  default = \"j3jotSIdKzJizX1hOTOSrrHjXNi6xDk8\"\n}\n";
    assert_eq!(found(&d, "variables.tf", lookup), vec![]);
    // `locals` assigns on the name's own line: found as it always was.
    let locals = "locals {\n  db_password = \"3zP1X01YC6QaYoOY\"\n}\n";
    assert_eq!(
        found(&d, "main.tf", locals),
        one("generic-password", 2, "3zP1X01YC6QaYoOY")
    );
}

#[test]
fn strings_concatenated_one_part_per_line() {
    let d = detector();
    let key = "sk_live_GIWqzL15x7XV6DALPSA6oHVE";
    let java = "class Billing {\n    String apiKey = \"sk_live_GIWqzL15x7\" +\n        \"XV6DALPSA6oHVE\";\n}\n";
    assert_eq!(
        found(&d, "Billing.java", java),
        one("stripe-secret-key", 2, key)
    );
    let js = "const apiKey =\n  'sk_live_GIWqzL15x7' +\n  'XV6DALPSA6' +\n  'oHVE';\n";
    assert_eq!(
        found(&d, "billing.js", js),
        one("stripe-secret-key", 2, key)
    );
    let python = "API_KEY = (\n    \"sk_live_GIWqzL15x7\"\n    \"XV6DALPSA6oHVE\"\n)\n";
    assert_eq!(
        found(&d, "billing.py", python),
        one("stripe-secret-key", 2, key)
    );
    let continued = "API_KEY = \"sk_live_GIWqzL15x7\" \\\n    \"XV6DALPSA6oHVE\"\n";
    assert_eq!(
        found(&d, "billing.py", continued),
        one("stripe-secret-key", 1, key)
    );
    // Generic rules see the joined value too, once, on the first part's line.
    let cs = "var password = \"7zgpbHd\" +\n    \"Xvd4FO9\";\n";
    assert_eq!(
        found(&d, "Db.cs", cs),
        one("generic-password", 1, "7zgpbHdXvd4FO9")
    );
    let kotlin = "val dbPassword = \"3zP1X01YC6QaYoOY\" +\n    \"SQZN8Wv4EaJ5kM\"\n";
    assert_eq!(
        found(&d, "Db.kt", kotlin),
        one("generic-password", 1, "3zP1X01YC6QaYoOYSQZN8Wv4EaJ5kM")
    );
}
