//! Case helpers used to derive GraphQL names, matching `twenty-shared`'s `pascalCase`/`camelCase`
//! for the identifiers Twenty allows (camelCase ASCII names).

/// `person` → `Person`, `workspaceMember` → `WorkspaceMember`, `FULL_NAME` → `FullName`.
pub fn pascal_case(s: &str) -> String {
    if s.contains('_') || s.chars().all(|c| !c.is_ascii_lowercase()) {
        return heck::ToUpperCamelCase::to_upper_camel_case(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
    }
    out.extend(chars);
    out
}

/// `Person` → `person`, `first_name` → `firstName`.
pub fn camel_case(s: &str) -> String {
    if s.contains('_') {
        return heck::ToLowerCamelCase::to_lower_camel_case(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_lowercase());
    }
    out.extend(chars);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(pascal_case("person"), "Person");
        assert_eq!(pascal_case("workspaceMember"), "WorkspaceMember");
        assert_eq!(pascal_case("FULL_NAME"), "FullName");
        assert_eq!(pascal_case("RICH_TEXT"), "RichText");
        assert_eq!(pascal_case("primaryLinkUrl"), "PrimaryLinkUrl");
        assert_eq!(camel_case("People"), "people");
    }
}
