//! Benchmark: wall time and memory of `tessera_graphql::build_schema` for a large workspace
//! (the standard objects plus 100 custom objects with 30 fields each, every field type and
//! many-to-one relations between the objects), against the standard workspace (11 objects)
//! measured in the same run. Run with `scripts/bench` (release build).
//!
//! Memory is counted by a global allocator that wraps the system allocator (`peak_alloc`):
//! "retained" is the bytes still live after the build while the schema is kept (minus the bytes
//! live before it), "peak" the highest live total during the build (minus the bytes before).
//! The model the schema is built from exists before the build and is not counted there; its
//! own size is printed separately.

use std::sync::Arc;
use std::time::{Duration, Instant};

use peak_alloc::PeakAlloc;
use tessera_core::WorkspaceId;
use tessera_metadata::standard::{
    ObjectBuilder, RelationSpec, add_relation, field, options, standard_objects,
};
use tessera_metadata::{FieldMetadata, FieldType, ObjectMetadata, OnDelete, WorkspaceModel};

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// Custom objects in the large workspace.
const OBJECTS: usize = 100;
/// Custom fields per custom object (besides the label field `name` and the system fields):
/// `FIELDS - RELATIONS` typed fields cycling through [`TYPES`], then the relations.
const FIELDS: usize = 30;
/// Many-to-one relations per custom object (to the next objects, cyclically).
const RELATIONS: usize = 2;
/// Timed builds per workspace (after one warm-up build).
const RUNS: usize = 10;

/// Every storable field type a custom field can have (RELATION is added separately).
const TYPES: [FieldType; 20] = [
    FieldType::Text,
    FieldType::Number,
    FieldType::Numeric,
    FieldType::Boolean,
    FieldType::Uuid,
    FieldType::Date,
    FieldType::DateTime,
    FieldType::Select,
    FieldType::MultiSelect,
    FieldType::Rating,
    FieldType::RawJson,
    FieldType::Array,
    FieldType::RichText,
    FieldType::FullName,
    FieldType::Emails,
    FieldType::Phones,
    FieldType::Links,
    FieldType::Currency,
    FieldType::Address,
    FieldType::Actor,
];

fn large_objects() -> Vec<ObjectMetadata> {
    let mut objects = standard_objects();
    for i in 0..OBJECTS {
        let mut builder = ObjectBuilder::new(
            &format!("item{i}"),
            &format!("items{i}"),
            &format!("Item {i}"),
            &format!("Items {i}"),
        )
        .flags(true, false)
        .label_identifier(field("name", "Name", FieldType::Text));
        for k in 0..FIELDS - RELATIONS {
            let ty = TYPES[k % TYPES.len()];
            let mut f = field(&format!("field{k}"), &format!("Field {k}"), ty);
            if matches!(ty, FieldType::Select | FieldType::MultiSelect) {
                f = FieldMetadata {
                    options: Some(options(&[
                        ("OPTION_1", "Option 1", "green"),
                        ("OPTION_2", "Option 2", "blue"),
                        ("OPTION_3", "Option 3", "red"),
                    ])),
                    ..f
                };
            }
            builder = builder.with(f);
        }
        objects.push(builder.build());
    }
    for i in 0..OBJECTS {
        for r in 0..RELATIONS {
            let target = (i + 1 + r * 7) % OBJECTS;
            let (from, to) = (format!("item{i}"), format!("item{target}"));
            let (name, inverse) = (format!("ref{r}"), format!("referrers{r}Of{i}"));
            let added = add_relation(
                &mut objects,
                &RelationSpec {
                    from: &from,
                    field: &name,
                    label: &name,
                    to: &to,
                    inverse: &inverse,
                    inverse_label: &inverse,
                    on_delete: OnDelete::SetNull,
                },
            );
            assert!(added, "relation {from}.{name} -> {to}");
        }
    }
    objects
}

/// One workspace's measurements.
struct Measured {
    objects: usize,
    fields: usize,
    model_bytes: usize,
    median: Duration,
    min: Duration,
    retained: usize,
    peak: usize,
}

fn measure(objects: &[ObjectMetadata]) -> Measured {
    let before = ALLOC.current_usage();
    let model = Arc::new(
        WorkspaceModel::build(WorkspaceId::new_random(), 1, objects).expect("valid metadata"),
    );
    let model_bytes = ALLOC.current_usage().saturating_sub(before);
    let fields = model.objects.iter().map(|o| o.fields.len()).sum();

    // Warm-up (first-use statics), then memory of one build with the schema kept alive.
    drop(tessera_graphql::build_schema(model.clone()).expect("schema"));
    let before = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let schema = tessera_graphql::build_schema(model.clone()).expect("schema");
    let retained = ALLOC.current_usage().saturating_sub(before);
    let peak = ALLOC.peak_usage().saturating_sub(before);
    drop(schema);

    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let schema = tessera_graphql::build_schema(model.clone()).expect("schema");
            let elapsed = started.elapsed();
            drop(std::hint::black_box(schema));
            elapsed
        })
        .collect();
    times.sort();
    Measured {
        objects: model.objects.len(),
        fields,
        model_bytes,
        median: times[RUNS / 2],
        min: times[0],
        retained,
        peak,
    }
}

fn mib(bytes: usize) -> f64 {
    let b = bytes as f64;
    b / (1024.0 * 1024.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let standard = measure(&standard_objects());
    let large = measure(&large_objects());
    println!(
        "build_schema: median of {RUNS} runs; memory = live heap bytes (retained with the schema kept, peak during the build)"
    );
    println!(
        "{:<28} {:>7} {:>7} {:>10} {:>10} {:>10} {:>13} {:>10}",
        "workspace",
        "objects",
        "fields",
        "median ms",
        "min ms",
        "model MiB",
        "retained MiB",
        "peak MiB"
    );
    for (name, m) in [
        ("standard", &standard),
        (&*format!("standard + {OBJECTS} x {FIELDS} fields"), &large),
    ] {
        println!(
            "{:<28} {:>7} {:>7} {:>10.2} {:>10.2} {:>10.2} {:>13.2} {:>10.2}",
            name,
            m.objects,
            m.fields,
            ms(m.median),
            ms(m.min),
            mib(m.model_bytes),
            mib(m.retained),
            mib(m.peak)
        );
    }
    println!(
        "{:<28} {:>7} {:>7} {:>10.1} {:>10.1} {:>10.1} {:>13.1} {:>10.1}",
        "ratio (large / standard)",
        "",
        "",
        ratio(ms(large.median), ms(standard.median)),
        ratio(ms(large.min), ms(standard.min)),
        ratio(mib(large.model_bytes), mib(standard.model_bytes)),
        ratio(mib(large.retained), mib(standard.retained)),
        ratio(mib(large.peak), mib(standard.peak)),
    );
}
