use super::*;
use tessera_core::WorkspaceId;
use tessera_metadata::standard::standard_objects;

fn model() -> WorkspaceModel {
    let objects = standard_objects();
    WorkspaceModel::build(WorkspaceId::new_random(), 1, &objects).expect("valid")
}

#[test]
fn postgres_ddl_names_everything_schema_qualified() {
    let model = model();
    let ddl = workspace_ddl(Dialect::Postgres, Some("workspace_x"), &model).expect("ddl");
    assert_eq!(ddl[0], "CREATE SCHEMA \"workspace_x\"");
    let person = ddl
        .iter()
        .find(|s| s.starts_with("CREATE TABLE \"workspace_x\".\"person\""))
        .expect("person table");
    assert!(person.contains("\"id\" uuid NOT NULL DEFAULT (gen_random_uuid()) PRIMARY KEY"));
    assert!(person.contains("\"nameFirstName\" text,"));
    assert!(person.contains("\"createdAt\" timestamptz NOT NULL DEFAULT (now())"));
    assert!(person.contains(
        "\"createdBySource\" \"workspace_x\".\"person_createdBySource_enum\" DEFAULT ('MANUAL'::\"workspace_x\".\"person_createdBySource_enum\")"
    ));
    assert!(ddl.iter().any(|s| s
        == "CREATE UNIQUE INDEX \"IDX_UNIQUE_person_emailsPrimaryEmail\" ON \"workspace_x\".\"person\" (\"emailsPrimaryEmail\") WHERE \"deletedAt\" IS NULL"));
    assert!(ddl.iter().any(|s| s.starts_with(
        "ALTER TABLE \"workspace_x\".\"person\" ADD CONSTRAINT \"FK_person_companyId\" FOREIGN KEY (\"companyId\") REFERENCES \"workspace_x\".\"company\" (\"id\") ON DELETE SET NULL"
    )));
    assert!(ddl.iter().any(|s| s.starts_with(
        "CREATE TYPE \"workspace_x\".\"opportunity_stage_enum\" AS ENUM ('NEW', 'SCREENING'"
    )));
    let opportunity = ddl
        .iter()
        .find(|s| s.starts_with("CREATE TABLE \"workspace_x\".\"opportunity\""))
        .expect("opportunity table");
    assert!(opportunity.contains(
        "\"stage\" \"workspace_x\".\"opportunity_stage_enum\" NOT NULL DEFAULT ('NEW'::"
    ));
}

#[test]
fn sqlite_ddl_inlines_foreign_keys() {
    let model = model();
    let ddl = workspace_ddl(Dialect::Sqlite, None, &model).expect("ddl");
    let person = ddl
        .iter()
        .find(|s| s.starts_with("CREATE TABLE \"person\""))
        .expect("person table");
    assert!(
        person.contains("\"companyId\" TEXT REFERENCES \"company\" (\"id\") ON DELETE SET NULL")
    );
    assert!(person.contains("\"position\" REAL NOT NULL DEFAULT (0)"));
    assert!(
        !ddl.iter()
            .any(|s| s.starts_with("ALTER TABLE") || s.starts_with("CREATE TYPE"))
    );
    let company = ddl
        .iter()
        .find(|s| s.starts_with("CREATE TABLE \"company\""))
        .expect("company table");
    assert!(company.contains("\"idealCustomerProfile\" INTEGER NOT NULL DEFAULT (0)"));
}
