//! SQL text helpers: identifier and literal quoting, placeholders, generated object names.

use tessera_query::Dialect;

/// `name` as a quoted identifier (`"name"`, inner quotes doubled).
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A table name, schema-qualified on PostgreSQL (`"schema"."table"`).
pub(crate) fn qualified(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(schema) => format!("{}.{}", ident(schema), ident(name)),
        None => ident(name),
    }
}

/// `text` as a SQL string literal (`'text'`, inner quotes doubled).
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The `n`-th (1-based) bound parameter: `$n` on PostgreSQL, `?n` on SQLite.
pub(crate) fn placeholder(dialect: Dialect, n: usize) -> String {
    match dialect {
        Dialect::Postgres => format!("${n}"),
        Dialect::Sqlite => format!("?{n}"),
    }
}

/// The longest identifier PostgreSQL keeps (longer names are silently truncated).
const MAX_IDENT: usize = 63;

/// A generated object name (index, constraint): `prefix_table_column`, shortened to fit
/// PostgreSQL's 63-byte limit with a stable hash suffix so distinct inputs stay distinct.
pub(crate) fn object_name(prefix: &str, table: &str, column: &str) -> String {
    let full = format!("{prefix}_{table}_{column}");
    if full.len() <= MAX_IDENT {
        return full;
    }
    // FNV-1a: stable across builds and platforms, enough to separate truncated names.
    let hash = full.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut cut = MAX_IDENT - 17;
    while !full.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash:016x}", &full[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(qualified(Some("s"), "t"), "\"s\".\"t\"");
        assert_eq!(qualified(None, "t"), "\"t\"");
        assert_eq!(placeholder(Dialect::Postgres, 3), "$3");
        assert_eq!(placeholder(Dialect::Sqlite, 3), "?3");
    }

    #[test]
    fn long_names_are_shortened_and_distinct() {
        let a = object_name("IDX", &"t".repeat(40), &"a".repeat(40));
        let b = object_name("IDX", &"t".repeat(40), &format!("{}b", "a".repeat(39)));
        assert_eq!(a.len(), 63);
        assert_ne!(a, b);
        assert_eq!(
            object_name("IDX", "person", "companyId"),
            "IDX_person_companyId"
        );
    }
}
