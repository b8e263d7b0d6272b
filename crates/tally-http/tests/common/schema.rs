//! A small, strict validator for the OpenAPI schema subset the reference
//! documents use: `$ref`, `allOf`, `type` (one or a list), `enum`, `properties`
//! (unknown properties are errors: the reference shape is exact), `required`,
//! `items`, `additionalProperties`, `format: date-time`.

use serde_json::Value;

pub struct Schemas {
    doc: Value,
}

impl Schemas {
    pub fn load(yaml: &str) -> Schemas {
        let doc: Value = serde_yaml::from_str(yaml).expect("fixture is YAML");
        Schemas { doc }
    }

    fn resolve<'a>(&'a self, s: &'a Value) -> &'a Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap();
                self.resolve(&self.doc["components"]["schemas"][name])
            }
            None => s,
        }
    }

    /// Every violation of `value` against the component schema `name`.
    pub fn validate(&self, name: &str, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        let schema = &self.doc["components"]["schemas"][name];
        assert!(!schema.is_null(), "no schema {name} in fixture");
        self.check(schema, value, "$", &mut errors);
        errors
    }

    fn check(&self, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.check(s, v, path, errors);
            }
        }
        if let Some(t) = schema.get("type") {
            let types: Vec<&str> = match t {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let ok = types.iter().any(|t| match *t {
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                "object" => v.is_object(),
                "array" => v.is_array(),
                "null" => v.is_null(),
                _ => false,
            });
            if !ok {
                errors.push(format!("{path}: expected {types:?}, got {v}"));
                return;
            }
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !v.is_null()
            && !options.contains(v)
        {
            errors.push(format!("{path}: {v} is not one of the enum values"));
        }
        if schema.get("format").and_then(Value::as_str) == Some("date-time")
            && let Some(s) = v.as_str()
            && (s.parse::<jiff::Timestamp>().is_err() || !s.ends_with('Z'))
        {
            errors.push(format!("{path}: `{s}` is not an RFC 3339 UTC time"));
        }
        if let Some(obj) = v.as_object() {
            let props = schema.get("properties").and_then(Value::as_object);
            for req in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
                let req = req.as_str().unwrap();
                if !obj.contains_key(req) {
                    errors.push(format!("{path}: missing required `{req}`"));
                }
            }
            for (k, child) in obj {
                let p = format!("{path}.{k}");
                match (props.and_then(|ps| ps.get(k)), schema.get("additionalProperties")) {
                    (Some(s), _) => self.check(s, child, &p, errors),
                    (None, Some(extra)) if extra.is_object() => self.check(extra, child, &p, errors),
                    (None, _) if props.is_some() => errors.push(format!("{p}: not in the reference schema")),
                    _ => {}
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
            for (i, child) in arr.iter().enumerate() {
                self.check(items, child, &format!("{path}[{i}]"), errors);
            }
        }
    }
}
