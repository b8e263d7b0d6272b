//! The OpenAPI document builds on an ordinary thread (recursive schemas once
//! overflowed the stack) and describes every endpoint with a described response.

#[test]
fn document_builds_in_a_2_mib_stack_and_describes_every_response() {
    let json = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| tally_http::openapi_document().to_json().unwrap())
        .unwrap()
        .join()
        .expect("no stack overflow");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{} paths", paths.len());
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            for (status, resp) in op["responses"].as_object().unwrap() {
                let d = resp["description"].as_str().unwrap_or("");
                assert!(!d.is_empty(), "{method} {path} {status} has no description");
            }
        }
    }
}
