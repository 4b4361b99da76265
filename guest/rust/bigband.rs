//! bigband.rs: write a Backstage plugin in Rust without crates (no
//! wit-bindgen, no cargo-component): copy this file beside your lib.rs,
//! mount it at the crate root with `#[macro_use] mod bigband;`, and build a
//! cdylib for wasm32-wasi (wasm32-wasip1 on Rust 1.78 and later).
//!
//! A frontend plugin:
//!
//! ```ignore
//! #[macro_use]
//! mod bigband;
//! use bigband::{ComponentFile, NodeDep};
//! fn deps() -> Result<Vec<NodeDep>, String> {
//!     Ok(vec![NodeDep::new("@backstage/core-components")])
//! }
//! fn files() -> Result<Vec<ComponentFile>, String> {
//!     Ok(vec![ComponentFile::root("Page.tsx", "Page", "export const Page = () => <p>hi</p>;\n")])
//! }
//! bigband_frontend!(deps, files);
//! ```
//!
//! A backend plugin (served through wasi:http/incoming-handler@0.2.0):
//!
//! ```ignore
//! const ROUTES: &[(&str, &str)] = &[("GET", "/hello")];
//! fn handle(req: &mut bigband::Request, res: &mut bigband::Response) {
//!     res.respond(200, Some("text/plain"), b"hi");
//! }
//! bigband_backend!(ROUTES, handle);
//! ```
//!
//! Below the API are the canonical-ABI layouts (wasm32) and the
//! wasi:http@0.2.0 / wasi:io@0.2.0 imports with their flat signatures, the
//! same as guest/c/bigband.h.
//!
//! Edition 2021: the 2024 edition wants `unsafe extern` and
//! `#[unsafe(no_mangle)]`, which Rust 1.63 (Debian 12) does not parse.
#![allow(dead_code)]

#[cfg(not(target_arch = "wasm32"))]
compile_error!("bigband.rs is for wasm32 targets (wasm32-wasi, wasm32-wasip1): its layouts are the canonical ABI's on wasm32");

use std::alloc::{self, Layout};
use std::any::Any;
use std::io;

// ---------------------------------------------------------------------------
// Frontend
// ---------------------------------------------------------------------------

/// An npm package the generated plugin depends on.
pub struct NodeDep {
    pub name: String,
    /// A semver range; None: the newest (the generator's known range).
    pub version: Option<String>,
    /// devDependencies instead of dependencies.
    pub dev: bool,
}

impl NodeDep {
    pub fn new(name: &str) -> NodeDep {
        NodeDep { name: name.to_string(), version: None, dev: false }
    }
}

/// A file under the plugin's src/components.
pub struct ComponentFile {
    pub path: String,
    pub is_root: bool,
    /// Required on the root: the component it exports.
    pub class_name: Option<String>,
    pub contents: String,
}

impl ComponentFile {
    pub fn new(path: &str, contents: &str) -> ComponentFile {
        ComponentFile { path: path.to_string(), is_root: false, class_name: None, contents: contents.to_string() }
    }
    pub fn root(path: &str, class_name: &str, contents: &str) -> ComponentFile {
        ComponentFile {
            path: path.to_string(),
            is_root: true,
            class_name: Some(class_name.to_string()),
            contents: contents.to_string(),
        }
    }
}

/// bigband_frontend!(deps, files) defines the frontend contract's exports
/// from two functions returning Result<Vec<NodeDep>, String> and
/// Result<Vec<ComponentFile>, String>.
#[macro_export]
macro_rules! bigband_frontend {
    ($deps:expr, $files:expr) => {
        #[export_name = "backstage:plugins/backstage-frontend-plugin@0.1.0#get-node-deps"]
        pub extern "C" fn __bigband_get_node_deps() -> *const u8 {
            $crate::bigband::run_deps($deps())
        }
        #[export_name = "cabi_post_backstage:plugins/backstage-frontend-plugin@0.1.0#get-node-deps"]
        pub extern "C" fn __bigband_post_get_node_deps(_: *const u8) {
            $crate::bigband::post_return()
        }
        #[export_name = "backstage:plugins/backstage-frontend-plugin@0.1.0#get-component-files"]
        pub extern "C" fn __bigband_get_component_files() -> *const u8 {
            $crate::bigband::run_files($files())
        }
        #[export_name = "cabi_post_backstage:plugins/backstage-frontend-plugin@0.1.0#get-component-files"]
        pub extern "C" fn __bigband_post_get_component_files(_: *const u8) {
            $crate::bigband::post_return()
        }
    };
}

// ---------------------------------------------------------------------------
// Backend
// ---------------------------------------------------------------------------

/// bigband_backend!(ROUTES, handle) defines get-routes from a
/// &[(&str, &str)] of (method, path pattern) and the wasi:http incoming
/// handler, which calls handle(&mut Request, &mut Response) per request.
/// When handle returns, the response is started if it was not (200 by
/// default) and its body finished with any trailers.
#[macro_export]
macro_rules! bigband_backend {
    ($routes:expr, $handle:expr) => {
        #[export_name = "backstage:plugins/backstage-backend-plugin@0.1.0#get-routes"]
        pub extern "C" fn __bigband_get_routes() -> *const u8 {
            $crate::bigband::run_routes($routes)
        }
        #[export_name = "cabi_post_backstage:plugins/backstage-backend-plugin@0.1.0#get-routes"]
        pub extern "C" fn __bigband_post_get_routes(_: *const u8) {
            $crate::bigband::post_return()
        }
        #[export_name = "wasi:http/incoming-handler@0.2.0#handle"]
        pub extern "C" fn __bigband_handle(req: i32, out: i32) {
            $crate::bigband::serve(req, out, $handle)
        }
    };
}

/// An incoming request. Reading it (std::io::Read) streams the body.
pub struct Request {
    handle: i32,
    method: String,
    path_with_query: String,
    headers: Option<Vec<(String, Vec<u8>)>>,
    body: i32,
    stream: i32,
    done: bool,
}

impl Request {
    /// "GET", "POST", ... or an extension method's name.
    pub fn method(&self) -> &str {
        &self.method
    }
    /// The path without the query.
    pub fn path(&self) -> &str {
        match self.path_with_query.find('?') {
            Some(i) => &self.path_with_query[..i],
            None => &self.path_with_query,
        }
    }
    /// The query without '?'; "" when none.
    pub fn query(&self) -> &str {
        match self.path_with_query.find('?') {
            Some(i) => &self.path_with_query[i + 1..],
            None => "",
        }
    }
    /// Matches the path against a pattern whose {name} segments match one
    /// non-empty segment each; Some(the segments, in order) on a match.
    pub fn match_path<'a>(&'a self, pattern: &str) -> Option<Vec<&'a str>> {
        let path = self.path();
        let (segs, pats): (Vec<&str>, Vec<&str>) = (path.split('/').collect(), pattern.split('/').collect());
        if segs.len() != pats.len() {
            return None;
        }
        let mut params = Vec::new();
        for (s, p) in segs.iter().zip(pats.iter()) {
            if p.starts_with('{') && p.ends_with('}') {
                if s.is_empty() {
                    return None;
                }
                params.push(*s);
            } else if s != p {
                return None;
            }
        }
        Some(params)
    }
    /// Every header as the host gives it (names lower-case, repeats in order).
    pub fn headers(&mut self) -> &[(String, Vec<u8>)] {
        if self.headers.is_none() {
            let mut list = raw::FieldList { ptr: std::ptr::null_mut(), len: 0 };
            unsafe {
                let f = raw::incoming_request_headers(self.handle);
                raw::fields_entries(f, &mut list);
                raw::fields_drop(f);
            }
            let fields = unsafe { take_vec(list.ptr, list.len) };
            let out = fields
                .into_iter()
                .map(|f| unsafe {
                    let name = take_vec(f.name.ptr, f.name.len);
                    (String::from_utf8_lossy(&name).into_owned(), take_vec(f.value.ptr, f.value.len))
                })
                .collect();
            self.headers = Some(out);
        }
        self.headers.as_deref().unwrap_or(&[])
    }
    /// The first value of a header, its name compared without case.
    pub fn header(&mut self, name: &str) -> Option<&[u8]> {
        self.headers().iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }
}

impl io::Read for Request {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        unsafe {
            if self.body < 0 {
                let mut b = raw::ResultHandle { is_err: 0, val: 0 };
                raw::incoming_request_consume(self.handle, &mut b);
                if b.is_err != 0 {
                    return Err(io::Error::new(io::ErrorKind::Other, "request body already consumed"));
                }
                self.body = b.val;
                let mut s = raw::ResultHandle { is_err: 0, val: 0 };
                raw::incoming_body_stream(self.body, &mut s);
                if s.is_err != 0 {
                    return Err(io::Error::new(io::ErrorKind::Other, "request body stream already taken"));
                }
                self.stream = s.val;
            }
            loop {
                let mut r = raw::ResultBytes { is_err: 0, a: 0, b: 0 };
                raw::input_stream_blocking_read(self.stream, buf.len() as u64, &mut r);
                if r.is_err != 0 {
                    self.done = true;
                    if r.a as u8 == raw::STREAM_CLOSED {
                        return Ok(0);
                    }
                    raw::io_error_drop(r.b as i32);
                    return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "request body broke off"));
                }
                let chunk = take_vec(r.a as *mut u8, r.b as usize);
                if chunk.is_empty() {
                    continue; // blocks until data or the end
                }
                let n = chunk.len().min(buf.len());
                buf[..n].copy_from_slice(&chunk[..n]);
                return Ok(n);
            }
        }
    }
}

/// The response: set status and headers, then write (std::io::Write). The
/// first write sends status and headers.
pub struct Response {
    out: i32,
    status: u16,
    headers: i32,
    trailers: i32,
    started: bool,
    failed: bool,
    body: i32,
    stream: i32,
}

impl Response {
    pub fn status(&mut self, code: u16) {
        if !self.started {
            self.status = code;
        }
    }
    /// Adds a header; an error once the response has started or when the
    /// host refuses the header.
    pub fn header(&mut self, name: &str, value: &str) -> io::Result<()> {
        if self.started {
            return Err(io::Error::new(io::ErrorKind::Other, "the response has started: headers are sent"));
        }
        add_field(&mut self.headers, name, value)
    }
    /// Adds a trailer, sent after the body.
    pub fn trailer(&mut self, name: &str, value: &str) -> io::Result<()> {
        add_field(&mut self.trailers, name, value)
    }
    /// Sends a whole response.
    pub fn respond(&mut self, status: u16, content_type: Option<&str>, body: &[u8]) {
        self.status(status);
        if let Some(ct) = content_type {
            let _ = self.header("content-type", ct);
        }
        let _ = io::Write::write_all(self, body);
    }
    fn start(&mut self) {
        if self.started {
            return;
        }
        self.started = true;
        unsafe {
            let h = if self.headers >= 0 { self.headers } else { raw::fields_new() };
            self.headers = -1;
            let resp = raw::outgoing_response_new(h);
            if raw::outgoing_response_set_status_code(resp, self.status as i32) != 0 {
                // Not 100..=999: answer 500 rather than trap.
                raw::outgoing_response_set_status_code(resp, 500);
            }
            let mut b = raw::ResultHandle { is_err: 0, val: 0 };
            raw::outgoing_response_body(resp, &mut b);
            must(b.is_err);
            self.body = b.val;
            raw::response_outparam_set(self.out, 0, resp, 0, 0, 0, 0, 0, 0);
            let mut s = raw::ResultHandle { is_err: 0, val: 0 };
            raw::outgoing_body_write(self.body, &mut s);
            must(s.is_err);
            self.stream = s.val;
        }
    }
}

impl io::Write for Response {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.start();
        if self.failed || write_all(self.stream, data).is_err() {
            self.failed = true;
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"));
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.start();
        if self.failed || flush(self.stream).is_err() {
            self.failed = true;
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"));
        }
        Ok(())
    }
}

fn add_field(f: &mut i32, name: &str, value: &str) -> io::Result<()> {
    unsafe {
        if *f < 0 {
            *f = raw::fields_new();
        }
        let mut r = raw::ResultHeader { is_err: 0, err: 0 };
        raw::fields_append(*f, name.as_ptr(), name.len(), value.as_ptr(), value.len(), &mut r);
        if r.is_err != 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("header {:?}: refused by the host", name)));
        }
    }
    Ok(())
}

fn must(is_err: u8) {
    if is_err != 0 {
        std::process::abort();
    }
}

/// Writes everything, never more than check-write allows, blocking on the
/// stream's pollable while the host's buffer is full.
pub fn write_all(out: i32, mut data: &[u8]) -> Result<(), ()> {
    while !data.is_empty() {
        unsafe {
            let mut room = raw::ResultU64 { is_err: 0, ok: 0 };
            raw::output_stream_check_write(out, &mut room);
            if room.is_err != 0 {
                drop_stream_error(room.ok as u32 as u8, (room.ok >> 32) as i32);
                return Err(());
            }
            if room.ok == 0 {
                let p = raw::output_stream_subscribe(out);
                raw::pollable_block(p);
                raw::pollable_drop(p);
                continue;
            }
            let k = (room.ok as usize).min(data.len());
            let mut w = raw::ResultStream { is_err: 0, err: raw::StreamError { tag: 0, error: 0 } };
            raw::output_stream_write(out, data.as_ptr(), k, &mut w);
            if w.is_err != 0 {
                drop_stream_error(w.err.tag, w.err.error);
                return Err(());
            }
            data = &data[k..];
        }
    }
    Ok(())
}

/// Blocks until everything written went out.
pub fn flush(out: i32) -> Result<(), ()> {
    let mut f = raw::ResultStream { is_err: 0, err: raw::StreamError { tag: 0, error: 0 } };
    unsafe { raw::output_stream_blocking_flush(out, &mut f) };
    if f.is_err != 0 {
        drop_stream_error(f.err.tag, f.err.error);
        return Err(());
    }
    Ok(())
}

fn drop_stream_error(tag: u8, error: i32) {
    if tag == raw::STREAM_FAILED {
        unsafe { raw::io_error_drop(error) };
    }
}

#[doc(hidden)]
pub fn serve(req: i32, out: i32, handle: fn(&mut Request, &mut Response)) {
    let mut m = raw::Method { tag: 0, ptr: std::ptr::null_mut(), len: 0 };
    let mut pq = raw::OptBytes { is_some: 0, ptr: std::ptr::null_mut(), len: 0 };
    unsafe {
        raw::incoming_request_method(req, &mut m);
        raw::incoming_request_path_with_query(req, &mut pq);
    }
    const NAMES: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
    let method = match NAMES.get(m.tag as usize) {
        Some(n) => n.to_string(),
        None => String::from_utf8_lossy(&unsafe { take_vec(m.ptr, m.len) }).into_owned(),
    };
    let path_with_query = if pq.is_some != 0 {
        String::from_utf8_lossy(&unsafe { take_vec(pq.ptr, pq.len) }).into_owned()
    } else {
        "/".to_string()
    };
    let mut r = Request { handle: req, method, path_with_query, headers: None, body: -1, stream: -1, done: false };
    let mut w = Response { out, status: 200, headers: -1, trailers: -1, started: false, failed: false, body: -1, stream: -1 };
    handle(&mut r, &mut w);
    let _ = io::Write::flush(&mut w);
    unsafe {
        raw::output_stream_drop(w.stream);
        let mut res = raw::ResultErrorCode { is_err: 0, _rest: [0; 39] };
        let t = w.trailers;
        raw::outgoing_body_finish(w.body, (t >= 0) as i32, if t >= 0 { t } else { 0 }, &mut res);
        // Children before parents.
        if r.stream >= 0 {
            raw::input_stream_drop(r.stream);
        }
        if r.body >= 0 {
            raw::incoming_body_drop(r.body);
        }
        raw::incoming_request_drop(req);
    }
}

// ---------------------------------------------------------------------------
// Contract exports: return areas and post-return
// ---------------------------------------------------------------------------

/// (ptr, len) of a string or list.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct RawStr {
    pub ptr: *const u8,
    pub len: usize,
}

#[repr(C)]
pub struct RawOptStr {
    pub is_some: u8,
    pub val: RawStr,
}

#[repr(C)]
pub struct RawNodeDep {
    pub name: RawStr,
    pub version: RawOptStr,
    pub dev: u8,
}

#[repr(C)]
pub struct RawComponentFile {
    pub path: RawStr,
    pub is_root: u8,
    pub class_name: RawOptStr,
    pub contents: RawStr,
}

#[repr(C)]
pub struct RawRoute {
    pub method: RawStr,
    pub path: RawStr,
}

/// result<list<T>, string>: tag at 0, (ptr, len) at 4.
#[repr(C)]
pub struct ListResult {
    pub is_err: u8,
    pub ptr: *const u8,
    pub len: usize,
}

const _: () = assert!(std::mem::size_of::<RawNodeDep>() == 24);
const _: () = assert!(std::mem::size_of::<RawComponentFile>() == 32);
const _: () = assert!(std::mem::size_of::<RawRoute>() == 16);
const _: () = assert!(std::mem::size_of::<ListResult>() == 12);

// One export call at a time: the return area, and what it points into,
// kept alive until the host calls the cabi_post_ function.
static mut RET: ListResult = ListResult { is_err: 0, ptr: std::ptr::null(), len: 0 };
static mut KEEP: Option<Box<dyn Any>> = None;

fn raw_str(s: &str) -> RawStr {
    RawStr { ptr: s.as_ptr(), len: s.len() }
}

fn raw_opt(s: &Option<String>) -> RawOptStr {
    match s {
        Some(s) => RawOptStr { is_some: 1, val: raw_str(s) },
        None => RawOptStr { is_some: 0, val: RawStr { ptr: std::ptr::null(), len: 0 } },
    }
}

fn ret<T: 'static, R: 'static>(owned: T, raw: Result<Vec<R>, String>) -> *const u8 {
    unsafe {
        RET = match &raw {
            Ok(v) => ListResult { is_err: 0, ptr: v.as_ptr() as *const u8, len: v.len() },
            Err(e) => ListResult { is_err: 1, ptr: e.as_ptr(), len: e.len() },
        };
        // Moving a Vec or String does not move its heap buffer.
        KEEP = Some(Box::new((owned, raw)));
        std::ptr::addr_of!(RET) as *const u8
    }
}

#[doc(hidden)]
pub fn run_deps(r: Result<Vec<NodeDep>, String>) -> *const u8 {
    match r {
        Ok(deps) => {
            let raw: Vec<RawNodeDep> = deps
                .iter()
                .map(|d| RawNodeDep { name: raw_str(&d.name), version: raw_opt(&d.version), dev: d.dev as u8 })
                .collect();
            ret(deps, Ok(raw))
        }
        Err(e) => ret((), Err::<Vec<()>, String>(e)),
    }
}

#[doc(hidden)]
pub fn run_files(r: Result<Vec<ComponentFile>, String>) -> *const u8 {
    match r {
        Ok(files) => {
            let raw: Vec<RawComponentFile> = files
                .iter()
                .map(|f| RawComponentFile {
                    path: raw_str(&f.path),
                    is_root: f.is_root as u8,
                    class_name: raw_opt(&f.class_name),
                    contents: raw_str(&f.contents),
                })
                .collect();
            ret(files, Ok(raw))
        }
        Err(e) => ret((), Err::<Vec<()>, String>(e)),
    }
}

#[doc(hidden)]
pub fn run_routes(routes: &'static [(&'static str, &'static str)]) -> *const u8 {
    let raw: Vec<RawRoute> = routes.iter().map(|(m, p)| RawRoute { method: raw_str(m), path: raw_str(p) }).collect();
    ret((), Ok(raw))
}

#[doc(hidden)]
pub fn post_return() {
    unsafe { KEEP = None };
}

// ---------------------------------------------------------------------------
// Memory the host allocates in ours
// ---------------------------------------------------------------------------

/// The host allocates the strings and lists it returns to us through this.
#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    if new_size == 0 {
        return align as *mut u8; // any aligned non-null address
    }
    let p = if old_size == 0 {
        alloc::alloc(Layout::from_size_align_unchecked(new_size, align))
    } else {
        alloc::realloc(old, Layout::from_size_align_unchecked(old_size, align), new_size)
    };
    if p.is_null() {
        std::process::abort();
    }
    p
}

/// take_vec owns a list the host allocated through cabi_realloc (with T's
/// size and alignment). Empty lists were never allocated.
unsafe fn take_vec<T>(ptr: *mut T, len: usize) -> Vec<T> {
    if len == 0 {
        Vec::new()
    } else {
        Vec::from_raw_parts(ptr, len, len)
    }
}

// ---------------------------------------------------------------------------
// Raw layer: wasi:http@0.2.0 and wasi:io@0.2.0 imports (flat signatures)
// ---------------------------------------------------------------------------

#[allow(clippy::too_many_arguments)]
pub mod raw {
    #[repr(C)]
    pub struct Bytes {
        pub ptr: *mut u8,
        pub len: usize,
    }
    /// variant method: tag at 0, other(string) at 4.
    #[repr(C)]
    pub struct Method {
        pub tag: u8,
        pub ptr: *mut u8,
        pub len: usize,
    }
    #[repr(C)]
    pub struct OptBytes {
        pub is_some: u8,
        pub ptr: *mut u8,
        pub len: usize,
    }
    #[repr(C)]
    pub struct ResultHandle {
        pub is_err: u8,
        pub val: i32,
    }
    #[repr(C)]
    pub struct ResultHeader {
        pub is_err: u8,
        pub err: u8,
    }
    /// tuple<field-key, field-value>
    #[repr(C)]
    pub struct Field {
        pub name: Bytes,
        pub value: Bytes,
    }
    #[repr(C)]
    pub struct FieldList {
        pub ptr: *mut Field,
        pub len: usize,
    }
    pub const STREAM_FAILED: u8 = 0;
    pub const STREAM_CLOSED: u8 = 1;
    /// result<list<u8>, stream-error>: ok (a = ptr, b = len) or err
    /// (a = stream-error tag, b = the error handle).
    #[repr(C)]
    pub struct ResultBytes {
        pub is_err: u8,
        pub a: u32,
        pub b: u32,
    }
    /// result<u64, stream-error>: payload at 8; for err, the tag in the
    /// low byte and the error handle at 12.
    #[repr(C)]
    pub struct ResultU64 {
        pub is_err: u8,
        pub ok: u64,
    }
    /// variant stream-error { last-operation-failed(own<error>), closed }
    #[repr(C)]
    pub struct StreamError {
        pub tag: u8,
        pub error: i32,
    }
    /// result<_, stream-error>: the error at 4.
    #[repr(C)]
    pub struct ResultStream {
        pub is_err: u8,
        pub err: StreamError,
    }
    /// result<_, error-code>: only the tag is read.
    #[repr(C, align(8))]
    pub struct ResultErrorCode {
        pub is_err: u8,
        pub _rest: [u8; 39],
    }

    const _: () = assert!(std::mem::size_of::<Method>() == 12);
    const _: () = assert!(std::mem::size_of::<Field>() == 16);
    const _: () = assert!(std::mem::size_of::<ResultBytes>() == 12);
    const _: () = assert!(std::mem::size_of::<ResultU64>() == 16);
    const _: () = assert!(std::mem::size_of::<ResultStream>() == 12);
    const _: () = assert!(std::mem::size_of::<ResultErrorCode>() == 40);

    #[link(wasm_import_module = "wasi:http/types@0.2.0")]
    extern "C" {
        #[link_name = "[constructor]fields"]
        pub fn fields_new() -> i32;
        #[link_name = "[method]fields.append"]
        pub fn fields_append(f: i32, name: *const u8, name_len: usize, value: *const u8, value_len: usize, ret: *mut ResultHeader);
        #[link_name = "[method]fields.entries"]
        pub fn fields_entries(f: i32, ret: *mut FieldList);
        #[link_name = "[resource-drop]fields"]
        pub fn fields_drop(f: i32);
        #[link_name = "[method]incoming-request.method"]
        pub fn incoming_request_method(r: i32, ret: *mut Method);
        #[link_name = "[method]incoming-request.path-with-query"]
        pub fn incoming_request_path_with_query(r: i32, ret: *mut OptBytes);
        #[link_name = "[method]incoming-request.headers"]
        pub fn incoming_request_headers(r: i32) -> i32;
        #[link_name = "[method]incoming-request.consume"]
        pub fn incoming_request_consume(r: i32, ret: *mut ResultHandle);
        #[link_name = "[resource-drop]incoming-request"]
        pub fn incoming_request_drop(r: i32);
        #[link_name = "[method]incoming-body.stream"]
        pub fn incoming_body_stream(b: i32, ret: *mut ResultHandle);
        #[link_name = "[resource-drop]incoming-body"]
        pub fn incoming_body_drop(b: i32);
        #[link_name = "[constructor]outgoing-response"]
        pub fn outgoing_response_new(headers: i32) -> i32;
        #[link_name = "[method]outgoing-response.set-status-code"]
        pub fn outgoing_response_set_status_code(r: i32, status: i32) -> i32;
        #[link_name = "[method]outgoing-response.body"]
        pub fn outgoing_response_body(r: i32, ret: *mut ResultHandle);
        #[link_name = "[method]outgoing-body.write"]
        pub fn outgoing_body_write(b: i32, ret: *mut ResultHandle);
        #[link_name = "[static]outgoing-body.finish"]
        pub fn outgoing_body_finish(b: i32, has_trailers: i32, trailers: i32, ret: *mut ResultErrorCode);
        /// set(param, result<outgoing-response, error-code>): the tag, then
        /// the join of ok's [i32] with error-code's [i32, i32, i64, i32 x4].
        #[link_name = "[static]response-outparam.set"]
        pub fn response_outparam_set(p: i32, is_err: i32, p0: i32, p1: i32, p2: i64, p3: i32, p4: i32, p5: i32, p6: i32);
    }

    #[link(wasm_import_module = "wasi:io/streams@0.2.0")]
    extern "C" {
        #[link_name = "[method]input-stream.blocking-read"]
        pub fn input_stream_blocking_read(s: i32, len: u64, ret: *mut ResultBytes);
        #[link_name = "[resource-drop]input-stream"]
        pub fn input_stream_drop(s: i32);
        #[link_name = "[method]output-stream.check-write"]
        pub fn output_stream_check_write(s: i32, ret: *mut ResultU64);
        #[link_name = "[method]output-stream.write"]
        pub fn output_stream_write(s: i32, ptr: *const u8, len: usize, ret: *mut ResultStream);
        #[link_name = "[method]output-stream.blocking-flush"]
        pub fn output_stream_blocking_flush(s: i32, ret: *mut ResultStream);
        #[link_name = "[method]output-stream.subscribe"]
        pub fn output_stream_subscribe(s: i32) -> i32;
        #[link_name = "[resource-drop]output-stream"]
        pub fn output_stream_drop(s: i32);
    }

    #[link(wasm_import_module = "wasi:io/poll@0.2.0")]
    extern "C" {
        #[link_name = "[method]pollable.block"]
        pub fn pollable_block(p: i32);
        #[link_name = "[resource-drop]pollable"]
        pub fn pollable_drop(p: i32);
    }

    #[link(wasm_import_module = "wasi:io/error@0.2.0")]
    extern "C" {
        #[link_name = "[resource-drop]error"]
        pub fn io_error_drop(e: i32);
    }
}
