//! features.c in Rust, over bigband.rs: the same routes, the same answers.
use std::io::{Read, Write};

#[macro_use]
#[path = "../../rust/bigband.rs"]
mod bigband;

use bigband::{Request, Response};

const ROUTES: &[(&str, &str)] = &[
    ("GET", "/info"),
    ("POST", "/echo"),
    ("GET", "/gen"),
    ("POST", "/count"),
    ("GET", "/status/{code}"),
    ("GET", "/trailers"),
    ("GET", "/headers-out"),
    ("GET", "/late-header"),
    ("GET", "/match/{a}/{b}"),
];

fn text(res: &mut Response, status: u16, s: &str) {
    res.respond(status, Some("text/plain"), s.as_bytes());
}

fn info(req: &mut Request, res: &mut Response) {
    let one = match req.header("X-One") {
        Some(v) => String::from_utf8_lossy(v).into_owned(),
        None => "-".to_string(),
    };
    let multi = req.headers().iter().filter(|(n, _)| n == "x-multi").count();
    let s = format!("{} {} {} {} {}", req.method(), req.path(), req.query(), one, multi);
    text(res, 200, &s);
}

fn echo(req: &mut Request, res: &mut Response) {
    if let Some(ct) = req.header("content-type") {
        let ct = String::from_utf8_lossy(ct).into_owned();
        let _ = res.header("content-type", &ct);
    }
    let mut chunk = vec![0u8; 64 * 1024];
    while let Ok(n) = req.read(&mut chunk) {
        if n == 0 || res.write_all(&chunk[..n]).is_err() {
            break;
        }
    }
}

fn gen(req: &mut Request, res: &mut Response) {
    let total: usize = req.query().strip_prefix("n=").and_then(|n| n.parse().ok()).unwrap_or(0);
    let _ = res.header("content-type", "application/octet-stream");
    let (mut i, mut step) = (0usize, 1000usize);
    let mut chunk = Vec::new();
    while i < total {
        let k = step.min(total - i);
        chunk.clear();
        chunk.extend((i..i + k).map(|j| (j % 251) as u8));
        if res.write_all(&chunk).is_err() {
            return;
        }
        i += k;
        step = step * 3 % 60000 + 1; // uneven chunk sizes
    }
}

fn count(req: &mut Request, res: &mut Response) {
    let (mut total, mut sum) = (0u64, 0u32);
    let mut chunk = vec![0u8; 64 * 1024];
    while let Ok(n) = req.read(&mut chunk) {
        if n == 0 {
            break;
        }
        total += n as u64;
        for b in &chunk[..n] {
            sum = sum.wrapping_add(*b as u32);
        }
    }
    text(res, 200, &format!("{} {}", total, sum));
}

fn handle(req: &mut Request, res: &mut Response) {
    let post = req.method() == "POST";
    match req.path() {
        "/info" => return info(req, res),
        "/echo" if post => return echo(req, res),
        "/gen" => return gen(req, res),
        "/count" if post => return count(req, res),
        "/trailers" => {
            let _ = res.trailer("x-checksum", "abc");
            let _ = res.trailer("x-two", "2");
            return text(res, 200, "ok");
        }
        "/headers-out" => {
            let _ = res.header("x-a", "1");
            let _ = res.header("x-b", "1");
            let _ = res.header("x-b", "2");
            return text(res, 200, "");
        }
        "/late-header" => {
            let _ = res.write_all(b"a");
            let r = res.header("x-late", "1");
            let _ = res.write_all(if r.is_err() { b"-1" } else { b"0" });
            return;
        }
        _ => {}
    }
    if let Some(p) = req.match_path("/status/{code}") {
        let code = p[0].parse().unwrap_or(500);
        res.status(code);
        let _ = res.write_all(b"s");
        return;
    }
    if let Some(p) = req.match_path("/match/{a}/{b}") {
        let s = format!("a={} b={}", p[0], p[1]);
        return text(res, 200, &s);
    }
    text(res, 404, "not found");
}

bigband_backend!(ROUTES, handle);
