//! front.c in Rust: get-component-files fails with --cfg fail.
#[macro_use]
#[path = "../../rust/bigband.rs"]
mod bigband;

use bigband::{ComponentFile, NodeDep};

fn deps() -> Result<Vec<NodeDep>, String> {
    let mut react = NodeDep::new("@types/react");
    react.dev = true;
    Ok(vec![
        NodeDep { name: "@backstage/core-components".into(), version: Some("^0.18.0".into()), dev: false },
        react,
    ])
}

fn files() -> Result<Vec<ComponentFile>, String> {
    let files = vec![
        ComponentFile::root("Page.tsx", "Page", "export const Page = () => <p>Grüße 🚀</p>;\n"),
        ComponentFile::new("index.ts", "export { Page } from './Page';\n"),
    ];
    if cfg!(fail) {
        return Err("no files today".into());
    }
    Ok(files)
}

bigband_frontend!(deps, files);
