//! The example backend plugin in Rust: a list of items, one item by id, and
//! an echo of the request body. Every example backend serves the same JSON.
use std::io::{Read, Write};

// guest/rust/bigband.rs: the canonical-ABI glue. A project `bigband-dev new`
// made has it beside this file; in this repository the Makefile passes
// --cfg bigband_repo to take it from guest/rust.
#[macro_use]
#[cfg_attr(bigband_repo, path = "../../../guest/rust/bigband.rs")]
mod bigband;

use bigband::{Request, Response};

const ROUTES: &[(&str, &str)] = &[("GET", "/items"), ("GET", "/items/{id}"), ("POST", "/echo")];

const ITEMS: &[(&str, &str)] = &[("1", "Alpha"), ("2", "Beta"), ("3", "Gamma")];

const JSON: Option<&str> = Some("application/json");

/// A JSON string literal for s.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn item_json(id: &str, name: &str) -> String {
    format!("{{\"id\":{},\"name\":{}}}", quote(id), quote(name))
}

fn error(res: &mut Response, status: u16, msg: &str) {
    res.respond(status, JSON, format!("{{\"error\":{}}}", quote(msg)).as_bytes());
}

fn list(res: &mut Response) {
    let items: Vec<String> = ITEMS.iter().map(|(id, name)| item_json(id, name)).collect();
    res.respond(200, JSON, format!("{{\"items\":[{}]}}", items.join(",")).as_bytes());
}

fn item(res: &mut Response, id: &str) {
    match ITEMS.iter().find(|(i, _)| *i == id) {
        Some((id, name)) => res.respond(200, JSON, item_json(id, name).as_bytes()),
        None => error(res, 404, &format!("no item {}", id)),
    }
}

/// echo streams the body back, one 64 KiB chunk at a time.
fn echo(req: &mut Request, res: &mut Response) {
    let ct = match req.header("content-type") {
        Some(v) => String::from_utf8_lossy(v).into_owned(),
        None => "application/octet-stream".to_string(),
    };
    let _ = res.header("content-type", &ct);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match req.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if res.write_all(&chunk[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

fn handle(req: &mut Request, res: &mut Response) {
    let allow = if req.path() == "/items" {
        if req.method() == "GET" {
            return list(res);
        }
        "GET"
    } else if let Some(params) = req.match_path("/items/{id}") {
        if req.method() == "GET" {
            let id = params[0].to_string();
            return item(res, &id);
        }
        "GET"
    } else if req.path() == "/echo" {
        if req.method() == "POST" {
            return echo(req, res);
        }
        "POST"
    } else {
        return error(res, 404, "not found");
    };
    let _ = res.header("allow", allow);
    error(res, 405, "method not allowed");
}

bigband_backend!(ROUTES, handle);
