// Package wasihttp declares the wasi:http@0.2.0 and wasi:io@0.2.0
// functions the backend package uses, as core imports under the names
// wit-component gives them, with the flat signatures the canonical ABI
// gives their WIT types. The host types each import by WASI's own WIT and
// refuses a module whose signature differs, so a mistake here fails at
// load, naming the import.
//
// Flattening, in short: a handle is one i32 (`self` first); a string or
// list is (ptr, len); u64 is i64; option/result/variant are a
// discriminant then the join of their cases; a result of more than one
// flat value comes back through a return area whose address is the last
// parameter.
package wasihttp
