//! The example frontend plugin in Rust: the npm packages its page needs and
//! the page itself, ExamplePage.tsx, compiled in with include_str!.

// guest/rust/bigband.rs: the canonical-ABI glue. A project `bigband-dev new`
// made has it beside this file; in this repository the Makefile passes
// --cfg bigband_repo to take it from guest/rust.
#[macro_use]
#[cfg_attr(bigband_repo, path = "../../../guest/rust/bigband.rs")]
mod bigband;

use bigband::{ComponentFile, NodeDep};

fn deps() -> Result<Vec<NodeDep>, String> {
    // No versions: the generator uses the ranges of the Backstage release it targets.
    Ok(vec![
        NodeDep::new("@backstage/core-components"),
        NodeDep::new("@backstage/core-plugin-api"),
        NodeDep::new("@material-ui/core"),
    ])
}

fn files() -> Result<Vec<ComponentFile>, String> {
    Ok(vec![ComponentFile::root("ExamplePage.tsx", "ExamplePage", include_str!("ExamplePage.tsx"))])
}

bigband_frontend!(deps, files);
