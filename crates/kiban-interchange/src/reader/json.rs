//! One JSON Lines object as canonical field values.

use crate::issue::Issue;
use crate::layout::Column;

/// Reads one JSON object into canonical field values (strings; numbers as written; null empty).
pub(super) fn json_values(
    columns: &[Column],
    line: u64,
    text: &str,
) -> Result<Vec<String>, Vec<Issue>> {
    let fail = |code, ja: String, en: String| vec![Issue::error(line, "", code, ja, en)];
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        fail(
            "JSON_INVALID",
            format!("JSONとして読めません: {e}"),
            format!("not valid JSON: {e}"),
        )
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(fail(
            "JSON_INVALID",
            "1行に1つのJSONオブジェクトが必要です".into(),
            "each line must be one JSON object".into(),
        ));
    };
    if let Some(k) = map.keys().find(|k| {
        !columns
            .iter()
            .any(|c| c.en == k.as_str() || c.ja == k.as_str())
    }) {
        return Err(fail(
            "JSON_INVALID",
            format!("不明な項目です: {k:?}"),
            format!("unknown key: {k:?}"),
        ));
    }
    let mut values = Vec::with_capacity(columns.len());
    for c in columns {
        let v = map.get(c.en).or_else(|| map.get(c.ja));
        values.push(match v {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.trim().to_string(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(other) => {
                return Err(vec![Issue::error(
                    line,
                    c.ja,
                    "JSON_INVALID",
                    format!("文字列か数値でなければなりません: {other}"),
                    format!("must be a string or number: {other}"),
                )]);
            }
        });
    }
    Ok(values)
}
