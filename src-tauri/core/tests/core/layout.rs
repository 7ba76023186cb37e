//! The source layout's rules, checked on the files themselves, for the core and the shell:
//!
//! - **Imports tell the truth.** A module is a file. It depends on every module its paths
//!   name (`crate::a::b`, `super::x`, or a child `x::` of its own), taken to the deepest
//!   module the path reaches, file by file: a `pub use` never gives a name another home, so
//!   a path through one leads to the file that re-exports, and the item it names must be
//!   defined there. No module imports a module that imports it back.
//! - **Doors hold no code.** A `mod.rs` only declares its modules; `lib.rs` declares the
//!   crate's modules and its face (`pub use`), which the crate itself never imports through.
//! - **Layers.** `model/` imports only `model/` and the foundation (`text`, `text_enum`,
//!   `i18n`);
//!   `store/` only `store/`, `model/` and the foundation (plus `error`).
//! - **One handle.** No core function takes the runtime as a parameter; `impl Leadline`
//!   sits in few files; the shell's commands never reach for the runtime.
//! - **Short functions.** No function of the app is over 120 lines.
//! - **SQL in the store.** Every SQL statement of the core is in `store/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One crate's modules: path ("a::b", "" for the root) → its source.
struct Crate {
    modules: BTreeMap<String, Module>,
}

struct Module {
    file: PathBuf,
    /// The source up to its unit tests, comments and string literals blanked (doc links and
    /// SQL aren't paths), every line kept where it was.
    code: String,
    /// A `mod.rs` or `lib.rs`: a door to the modules under it.
    door: bool,
}

fn read_crate(src: &Path) -> Crate {
    let mut modules = BTreeMap::new();
    let mut files = Vec::new();
    collect(src, &mut files);
    for file in files {
        let rel = file.strip_prefix(src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let door = matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        );
        if door {
            parts.pop();
        }
        // A binary's `main.rs` is a crate of its own; `bin/` is too.
        if parts.first().map(String::as_str) == Some("bin") || rel.ends_with("main") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        modules.insert(
            parts.join("::"),
            Module {
                code: strip(without_tests(&text)),
                file,
                door,
            },
        );
    }
    // A module with modules under it is a door too, whatever its file is called.
    let parents: BTreeSet<String> = modules
        .keys()
        .filter_map(|name| name.rsplit_once("::").map(|(parent, _)| parent.to_string()))
        .collect();
    for (name, module) in modules.iter_mut() {
        if parents.contains(name) {
            module.door = true;
        }
    }
    Crate { modules }
}

/// A file's own unit tests (at its end) are not part of the layout.
fn without_tests(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or_default()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source with comments and string literals blanked; newlines stay, so line numbers
/// and lengths hold.
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Inside blanked text only the newlines are kept.
    let keep_lines = |out: &mut String, from: &[char]| {
        out.extend(from.iter().filter(|c| **c == '\n'));
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let start = i;
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i = (i + 2).min(chars.len());
            keep_lines(&mut out, &chars[start..i]);
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident(out.chars().last())
        {
            // Raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < chars.len() {
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            keep_lines(&mut out, &chars[i..j.min(chars.len())]);
            i = j;
        } else if c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.push_str("\"\"");
            keep_lines(&mut out, &chars[start..i]);
        } else if c == '\'' && next.is_some() && chars.get(i + 2) == Some(&'\'') {
            // A char literal such as '"' or '{'.
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && next == Some('\\') {
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            out.push_str("' '");
            i = j + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Every path in `text` of two segments or more, as its segments (`use` groups expanded
/// into one path per leaf).
fn paths(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if ident(Some(chars[i])) && !ident(i.checked_sub(1).map(|p| chars[p])) {
            let (leaves, end) = path_at(&chars, i);
            found.extend(leaves.into_iter().filter(|s| s.len() >= 2));
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// The path (or, through a `{…}` group, the paths) starting at `i`, and where it ends.
fn path_at(chars: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut segments = Vec::new();
    loop {
        let start = i;
        while i < chars.len() && ident(Some(chars[i])) {
            i += 1;
        }
        if start == i {
            break;
        }
        segments.push(chars[start..i].iter().collect::<String>());
        if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            i += 2;
            if chars.get(i) == Some(&'{') {
                let close = matching_brace(chars, i);
                let inner: String = chars[i + 1..close].iter().collect();
                let leaves = expand(&inner)
                    .into_iter()
                    .map(|tail| segments.iter().cloned().chain(tail).collect())
                    .collect();
                return (leaves, close + 1);
            }
        } else {
            break;
        }
    }
    (vec![segments], i)
}

fn matching_brace(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (k, c) in chars.iter().enumerate().skip(open) {
        if *c == '{' {
            depth += 1;
        } else if *c == '}' {
            depth -= 1;
            if depth == 0 {
                return k;
            }
        }
    }
    chars.len().saturating_sub(1)
}

/// Every leaf path of a `use` tree.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let top = split_top(tree);
    if top.len() > 1 {
        return top.iter().flat_map(|t| expand(t)).collect();
    }
    if let Some(open) = tree.find('{') {
        let prefix: Vec<String> = tree[..open]
            .trim_end_matches("::")
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        split_top(inner)
            .iter()
            .filter(|p| !p.trim().is_empty())
            .flat_map(|p| expand(p))
            .map(|tail| prefix.iter().cloned().chain(tail).collect())
            .collect()
    } else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        vec![
            path.split("::")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ]
    }
}

/// Every leaf path of a `use` tree, with the name it is given (`as`), if any.
fn expand_named(tree: &str) -> Vec<(Vec<String>, Option<String>)> {
    let tree = tree.trim();
    let top = split_top(tree);
    if top.len() > 1 {
        return top.iter().flat_map(|t| expand_named(t)).collect();
    }
    if let Some(open) = tree.find('{') {
        let prefix: Vec<String> = tree[..open]
            .trim_end_matches("::")
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        split_top(inner)
            .iter()
            .flat_map(|p| expand_named(p))
            .map(|(tail, alias)| (prefix.iter().cloned().chain(tail).collect(), alias))
            .collect()
    } else {
        let mut parts = tree.split(" as ");
        let path = parts.next().unwrap_or(tree);
        let alias = parts.next().map(|a| a.trim().to_string());
        let segments = path
            .split("::")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        vec![(segments, alias)]
    }
}

/// `a, b::{c, d}, e` split at its top-level commas.
fn split_top(list: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in list.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// A module's path ("a::b") as its segments; none for the root.
fn segments_of(module: &str) -> Vec<String> {
    if module.is_empty() {
        vec![]
    } else {
        module.split("::").map(str::to_string).collect()
    }
}

/// Where a path written in a module leads: the deepest module it names, and what follows
/// it there (the item, then anything inside the item).
struct Reached {
    module: String,
    rest: Vec<String>,
}

impl Crate {
    /// The module a path written in `from` reaches, if it is one of this crate's. A
    /// re-export is not followed: the path leads to the file that wrote the `pub use`.
    fn resolve(&self, from: &str, path: &[String]) -> Option<Reached> {
        let first = path.first()?.as_str();
        if matches!(first, "crate" | "super" | "self") {
            return self.resolve_plain(from, path);
        }
        // A child of this module, written without `self::`, or a module this file imported
        // by name (`use crate::store::inbox;` then `inbox::get`).
        let mut child: Vec<String> = segments_of(from);
        child.push(first.to_string());
        if self.modules.contains_key(&child.join("::")) {
            return Some(self.walk(segments_of(from), path));
        }
        let module = self.imported_modules(from).remove(first)?;
        Some(self.walk(segments_of(&module), &path[1..]))
    }

    /// From module `base`, down `rest` as far as it names modules.
    fn walk(&self, mut base: Vec<String>, rest: &[String]) -> Reached {
        let mut taken = 0;
        for segment in rest {
            let mut deeper = base.clone();
            deeper.push(segment.clone());
            if !self.modules.contains_key(&deeper.join("::")) {
                break;
            }
            base = deeper;
            taken += 1;
        }
        Reached {
            module: base.join("::"),
            rest: rest[taken..].to_vec(),
        }
    }

    /// The modules `from` imports by name: `use crate::a::b;`, `use crate::a::{self, c}`
    /// (`a`), `use super::x as y` (`y`).
    fn imported_modules(&self, from: &str) -> BTreeMap<String, String> {
        let mut found = BTreeMap::new();
        let Some(module) = self.modules.get(from) else {
            return found;
        };
        for statement in module.code.split(';') {
            let s = statement.trim();
            let Some(tree) = s
                .strip_prefix("use ")
                .or_else(|| s.strip_prefix("pub use "))
                .or_else(|| s.strip_prefix("pub(crate) use "))
            else {
                continue;
            };
            for (leaf, alias) in expand_named(tree) {
                let path: Vec<String> = match leaf.last().map(String::as_str) {
                    Some("self") => leaf[..leaf.len() - 1].to_vec(),
                    _ => leaf.clone(),
                };
                let Some(name) = alias.or_else(|| path.last().cloned()) else {
                    continue;
                };
                if !matches!(
                    path.first().map(String::as_str),
                    Some("crate" | "super" | "self")
                ) {
                    continue;
                }
                if let Some(reached) = self.resolve_plain(from, &path) {
                    if reached.rest.is_empty() {
                        found.insert(name, reached.module);
                    }
                }
            }
        }
        found
    }

    /// `resolve` for a path from `crate`, `super` or `self` (no names a file imported).
    fn resolve_plain(&self, from: &str, path: &[String]) -> Option<Reached> {
        let here = segments_of(from);
        let (base, rest): (Vec<String>, &[String]) = match path.first()?.as_str() {
            "crate" => (vec![], &path[1..]),
            "super" => {
                let mut base = here;
                let mut rest = path;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                (base, rest)
            }
            "self" => (here, &path[1..]),
            _ => return None,
        };
        Some(self.walk(base, rest))
    }

    /// Module → the modules it imports.
    fn imports(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut graph = BTreeMap::new();
        for (name, module) in &self.modules {
            let mut deps = BTreeSet::new();
            for path in paths(&module.code) {
                if let Some(reached) = self.resolve(name, &path) {
                    if &reached.module != name {
                        deps.insert(reached.module);
                    }
                }
            }
            graph.insert(name.clone(), deps);
        }
        graph
    }

    /// Paths that name an item in a module that does not define it (it re-exports it, or
    /// the name is an item's own, reached through a door).
    fn untruthful_paths(&self) -> Vec<String> {
        let mut found = BTreeSet::new();
        for (name, module) in &self.modules {
            for path in paths(&module.code) {
                let Some(reached) = self.resolve(name, &path) else {
                    continue;
                };
                let Some(item) = reached.rest.first() else {
                    continue;
                };
                if item == "self" || item == "*" {
                    continue;
                }
                let target = &self.modules[&reached.module];
                if !defines(&target.code, item) {
                    found.insert(format!(
                        "  {}: `{}` names {item}, which {} does not define",
                        shown(&module.file),
                        path.join("::"),
                        shown(&target.file),
                    ));
                }
            }
        }
        found.into_iter().collect()
    }
}

/// Whether `code` defines `item` (a macro's body counts: `text_enum!` writes its enum out).
fn defines(code: &str, item: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "fn", "struct", "enum", "trait", "type", "const", "static", "union", "mod",
    ];
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '!'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .any(|pair| pair[1] == item && (KEYWORDS.contains(&pair[0]) || pair[0] == "macro_rules!"))
}

fn shown(file: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    file.strip_prefix(&root)
        .unwrap_or(file)
        .display()
        .to_string()
}

/// Every circle in a graph: each strongly connected component of two or more modules.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Tarjan's algorithm.
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !graph.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[w].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.index[w].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

fn describe(graph: &BTreeMap<String, BTreeSet<String>>, circle: &[String]) -> String {
    let inside: BTreeSet<&String> = circle.iter().collect();
    circle
        .iter()
        .map(|m| {
            let deps: Vec<&str> = graph[m]
                .iter()
                .filter(|d| inside.contains(d))
                .map(|d| if d.is_empty() { "crate" } else { d.as_str() })
                .collect();
            format!(
                "  {} → {}",
                if m.is_empty() { "crate" } else { m },
                deps.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn src_dir(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

const CORE: &str = "src";
const SHELL: &str = "../src";

fn assert_no_circles(src: &Path) {
    let krate = read_crate(src);
    let graph = krate.imports();
    let found = circles(&graph);
    assert!(
        found.is_empty(),
        "modules of {} that import each other, file by file (each line: a module → the ones of its circle it imports):\n{}",
        src.display(),
        found
            .iter()
            .map(|c| describe(&graph, c))
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

#[test]
fn no_module_of_the_core_imports_one_that_imports_it_back() {
    assert_no_circles(&src_dir(CORE));
}

#[test]
fn no_module_of_the_shell_imports_one_that_imports_it_back() {
    assert_no_circles(&src_dir(SHELL));
}

fn assert_truthful(src: &Path) {
    let found = read_crate(src).untruthful_paths();
    assert!(
        found.is_empty(),
        "every import must name the file that defines the item:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_import_of_the_core_names_the_file_that_defines_the_item() {
    assert_truthful(&src_dir(CORE));
}

#[test]
fn every_import_of_the_shell_names_the_file_that_defines_the_item() {
    assert_truthful(&src_dir(SHELL));
}

/// What a door holds besides its module declarations (and, for `lib.rs`, its face).
fn door_code(module: &Module) -> Vec<String> {
    let lib = module.file.ends_with("lib.rs");
    let mut statements = Vec::new();
    let mut current = String::new();
    for line in module.code.lines() {
        let line = line.trim();
        if line.is_empty()
            || line.starts_with("#![")
            || (line.starts_with("#[") && current.is_empty())
        {
            continue;
        }
        current.push_str(line);
        current.push(' ');
        if line.ends_with(';') || line.ends_with('}') {
            statements.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        statements.push(current);
    }
    statements
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| {
            let declared = ["mod ", "pub mod ", "pub(crate) mod "]
                .iter()
                .any(|p| s.starts_with(p) && s.ends_with(';'));
            let face = lib && s.starts_with("pub use ") && s.ends_with(';');
            !(declared || face)
        })
        .collect()
}

fn assert_doors_hold_no_code(src: &Path) {
    let krate = read_crate(src);
    let mut found = Vec::new();
    for module in krate.modules.values().filter(|m| m.door) {
        let code = door_code(module);
        if let Some(first) = code.first() {
            let short: String = first.chars().take(80).collect();
            found.push(format!(
                "  {}: {} statements, the first: {short}",
                shown(&module.file),
                code.len()
            ));
        }
    }
    assert!(
        found.is_empty(),
        "a mod.rs only declares modules and lib.rs only them and its face (pub use); code goes in a file named for it:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_cores_doors_hold_no_code() {
    assert_doors_hold_no_code(&src_dir(CORE));
}

#[test]
fn the_shells_doors_hold_no_code() {
    assert_doors_hold_no_code(&src_dir(SHELL));
}

/// The foundation every layer may use: words and enums kept as words.
const FOUNDATION: &[&str] = &["text", "text_enum", "i18n"];

fn layer_breaches(krate: &Crate, layer: &str, allowed: &[&str]) -> Vec<String> {
    let graph = krate.imports();
    let within = |m: &str| m == layer || m.starts_with(&format!("{layer}::"));
    let mut found = Vec::new();
    for (module, deps) in graph.iter().filter(|(m, _)| within(m)) {
        for dep in deps {
            let ok = within(dep)
                || FOUNDATION.contains(&dep.as_str())
                || allowed
                    .iter()
                    .any(|a| dep == a || dep.starts_with(&format!("{a}::")));
            if !ok {
                found.push(format!(
                    "  {} imports {}",
                    shown(&krate.modules[module].file),
                    if dep.is_empty() { "crate" } else { dep }
                ));
            }
        }
    }
    found
}

#[test]
fn models_sit_below_the_store_and_the_store_imports_only_them() {
    let krate = read_crate(&src_dir(CORE));
    let mut found = layer_breaches(&krate, "model", &[]);
    found.extend(layer_breaches(&krate, "store", &["model", "error"]));
    assert!(
        found.is_empty(),
        "model/ imports only the foundation (text, text_enum, i18n); store/ only model/, error and the foundation:\n{}",
        found.join("\n")
    );
}

/// The return types of the public functions in `code` that hand back a tuple (a bare one,
/// or inside a `Result`, `Option` or `Vec`), as (name, type).
fn tuple_returns(code: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("pub fn ") {
        rest = &rest[at + 7..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let (Some(arrow), Some(open)) = (rest.find("->"), rest.find('{')) else {
            continue;
        };
        let semicolon = rest.find(';').unwrap_or(usize::MAX);
        if arrow > open || arrow > semicolon {
            continue;
        }
        let returned: String = rest[arrow + 2..open].split_whitespace().collect();
        let mut inner = returned.as_str();
        for wrapper in ["rusqlite::Result<", "Result<", "Option<", "Vec<"] {
            inner = inner.strip_prefix(wrapper).unwrap_or(inner);
        }
        inner = inner.strip_prefix("Option<").unwrap_or(inner);
        inner = inner.strip_prefix("Vec<").unwrap_or(inner);
        if inner.starts_with('(') && !inner.starts_with("()") {
            found.push((name, returned));
        }
    }
    found
}

#[test]
fn the_store_returns_named_rows_never_tuples() {
    let krate = read_crate(&src_dir(CORE));
    let mut found = Vec::new();
    for (name, module) in &krate.modules {
        if name == "store" || name.starts_with("store::") {
            for (function, returned) in tuple_returns(&module.code) {
                found.push(format!(
                    "  {}: {function} -> {returned}",
                    shown(&module.file)
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the store hands back named rows (a struct per shape), not tuples:\n{}",
        found.join("\n")
    );
    assert_eq!(
        tuple_returns(
            "pub fn a() -> rusqlite::Result<Vec<(i64, String)>> { x }\npub fn b() -> Result<()> { y }"
        ),
        vec![(
            "a".to_string(),
            "rusqlite::Result<Vec<(i64,String)>>".to_string()
        )],
        "the check sees a tuple in a Vec in a Result, and not the unit"
    );
}

#[test]
fn no_core_function_takes_the_runtime_and_leadline_sits_in_few_files() {
    let krate = read_crate(&src_dir(CORE));
    let mut parameters = Vec::new();
    let mut impls = Vec::new();
    for (name, module) in &krate.modules {
        if name == "runtime" || name.starts_with("runtime::") {
            continue;
        }
        let code: String = module.code.split_whitespace().collect::<Vec<_>>().join(" ");
        for pattern in [
            ": &Runtime",
            ": &Arc<Runtime>",
            ": &std::sync::Arc<Runtime>",
        ] {
            if code.contains(pattern) {
                parameters.push(format!("  {}: `{pattern}`", shown(&module.file)));
            }
        }
        if code.contains("impl Leadline {") {
            impls.push(shown(&module.file));
        }
    }
    assert!(
        parameters.is_empty(),
        "the bot's handle owns the runtime; no core function takes it as a parameter:\n{}",
        parameters.join("\n")
    );
    assert!(
        impls.len() <= 14,
        "`impl Leadline` is spread over {} files (at most 14): steps are functions called by path:\n  {}",
        impls.len(),
        impls.join("\n  ")
    );
}

#[test]
fn the_shells_commands_never_sequence_the_runtime_themselves() {
    let krate = read_crate(&src_dir(SHELL));
    let found: Vec<String> = krate
        .modules
        .iter()
        .filter(|(name, _)| name.starts_with("commands"))
        .filter(|(_, m)| m.code.contains(".runtime()"))
        .map(|(_, m)| format!("  {}", shown(&m.file)))
        .collect();
    assert!(
        found.is_empty(),
        "a command calls one operation of the app, never the runtime beside the core:\n{}",
        found.join("\n")
    );
}

/// The longest a function may be, in lines from its `fn` to its closing brace.
const MAX_FUNCTION_LINES: usize = 120;

/// (first line, name, lines) of every function in `code`.
fn functions(code: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        // `fn name` (a function pointer type is `fn(`).
        let Some(name) = line.match_indices("fn ").find_map(|(at, _)| {
            let before = line[..at].chars().last();
            let name: String = line[at + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!ident(before) && !name.is_empty()).then_some(name)
        }) else {
            continue;
        };
        // Its body: from the first `{` after the signature (a `;` first: no body).
        let rest: String = lines[n..].join("\n");
        let open = rest.find('{');
        let semicolon = rest.find(';');
        let Some(open) = open.filter(|o| semicolon.is_none_or(|s| *o < s)) else {
            continue;
        };
        let chars: Vec<char> = rest.chars().collect();
        let open_char = rest[..open].chars().count();
        let close = matching_brace(&chars, open_char);
        let length = chars[..=close].iter().filter(|c| **c == '\n').count() + 1;
        found.push((n + 1, name, length));
    }
    found
}

#[test]
fn no_function_of_the_app_is_over_120_lines() {
    let mut found = Vec::new();
    for src in [CORE, SHELL] {
        for module in read_crate(&src_dir(src)).modules.values() {
            for (line, name, length) in functions(&module.code) {
                if length > MAX_FUNCTION_LINES {
                    found.push(format!(
                        "  {}:{line}: fn {name} is {length} lines",
                        shown(&module.file)
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (split them into named steps):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checker_sees_circles_file_by_file_and_untruthful_paths() {
    let module = |file: &str, code: &str| Module {
        file: PathBuf::from(file),
        code: code.to_string(),
        door: file.ends_with("mod.rs") || file.ends_with("lib.rs"),
    };
    let krate = Crate {
        modules: BTreeMap::from([
            (
                String::new(),
                module("lib.rs", "pub use a::Thing; mod a; mod b;"),
            ),
            (
                "a".to_string(),
                module("a.rs", "use crate::b::other; pub struct Thing;"),
            ),
            // Through the face: `b` depends on lib.rs, whose `pub use` depends on `a`.
            (
                "b".to_string(),
                module("b.rs", "use crate::Thing; pub fn other() {}"),
            ),
            ("c".to_string(), module("c.rs", "use super::a::Thing;")),
            (
                "d".to_string(),
                module("d/mod.rs", "mod e;\npub fn helper() {}"),
            ),
            ("d::e".to_string(), module("d/e.rs", "use super::helper;")),
            ("f".to_string(), module("f.rs", "use crate::d::helper;")),
        ]),
    };
    let graph = krate.imports();
    assert!(graph["c"].contains("a"), "{graph:?}");
    assert!(
        graph["b"].contains(""),
        "a path through the face leads to lib.rs"
    );
    assert_eq!(
        circles(&graph),
        vec![vec![String::new(), "a".to_string(), "b".to_string()]],
        "a → b → lib.rs (its face re-exports a) → a is a circle, file by file"
    );
    let untruthful = krate.untruthful_paths();
    assert_eq!(untruthful.len(), 1, "{untruthful:?}");
    assert!(untruthful[0].contains("crate::Thing"), "{untruthful:?}");
    assert_eq!(
        door_code(&krate.modules["d"]),
        vec!["pub fn helper() {}".to_string()],
        "a mod.rs with code is found"
    );
    assert!(
        door_code(&krate.modules[""]).is_empty(),
        "lib.rs may hold its face"
    );
}

#[test]
fn the_function_lengths_are_counted_from_fn_to_its_closing_brace() {
    let code = strip(
        "fn short() {\n    let s = \"}\n}\";\n}\n\nfn declared();\n\nfn long() {\n    if x {\n        y\n    }\n}\n",
    );
    assert_eq!(
        functions(&code),
        vec![(1, "short".to_string(), 4), (8, "long".to_string(), 5)]
    );
}

/// Words that begin an SQL statement, as the first word of a string literal.
const SQL_VERBS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE", "CREATE",
];

#[test]
fn every_sql_statement_of_the_core_is_in_the_store() {
    let src = src_dir(CORE);
    let mut files = Vec::new();
    collect(&src, &mut files);
    let mut outside = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        if rel.starts_with("store") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // A file that speaks DevTools and never names rusqlite calls the browser's
        // `execute`, not SQLite's.
        let devtools_only = text.contains("chromiumoxide") && !text.contains("rusqlite");
        for (n, line) in text.lines().enumerate() {
            let statement = line.split('"').skip(1).step_by(2).any(|literal| {
                let first = literal.split_whitespace().next().unwrap_or("");
                SQL_VERBS.contains(&first) && literal.split_whitespace().count() > 1
            });
            let call = [
                ".prepare(",
                ".prepare_cached(",
                ".execute(",
                ".query_row(",
                ".execute_batch(",
            ]
            .iter()
            .any(|c| line.contains(c))
                // A DevTools call, not SQL.
                && !line.contains("page.execute(")
                && !(devtools_only && line.contains(".execute("));
            if statement || call {
                outside.push(format!("  {}:{}: {}", rel.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "SQL outside store/:\n{}",
        outside.join("\n")
    );
}

/// The lines of SQL written in string literals of `text` (a literal counts with every line
/// it spans when its first word is an SQL verb).
fn sql_lines(text: &str) -> usize {
    const VERBS: &[&str] = &[
        "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE", "CREATE", "PRAGMA",
    ];
    let chars: Vec<char> = text.chars().collect();
    let mut lines = 0;
    let mut i = 0;
    while i < chars.len() {
        let raw = chars[i] == 'r'
            && matches!(chars.get(i + 1), Some('"' | '#'))
            && !ident(i.checked_sub(1).map(|p| chars[p]));
        if chars[i] == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if !(chars[i] == '"' || raw) {
            i += 1;
            continue;
        }
        let mut j = i + usize::from(raw);
        let mut hashes = 0;
        while raw && chars.get(j) == Some(&'#') {
            hashes += 1;
            j += 1;
        }
        if chars.get(j) != Some(&'"') {
            i += 1;
            continue;
        }
        j += 1;
        let start = j;
        while j < chars.len() {
            if !raw && chars[j] == '\\' {
                j += 2;
                continue;
            }
            if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                break;
            }
            j += 1;
        }
        let literal: String = chars[start..j.min(chars.len())].iter().collect();
        let mut words = literal.split_whitespace();
        if words.next().is_some_and(|w| VERBS.contains(&w)) && words.next().is_some() {
            lines += literal.lines().count().max(1);
        }
        i = j + 1 + hashes;
    }
    lines
}

#[test]
fn tests_read_state_through_typed_helpers_not_sql() {
    let mut files = Vec::new();
    for dir in ["tests", "../tests", "../../tests"] {
        collect(&src_dir(dir), &mut files);
    }
    let mut counted: Vec<(usize, String)> = files
        .iter()
        .filter(|file| !file.ends_with("layout.rs"))
        .map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            (sql_lines(&text), shown(file))
        })
        .filter(|(lines, _)| *lines > 0)
        .collect();
    counted.sort();
    let total: usize = counted.iter().map(|(lines, _)| lines).sum();
    assert!(
        total < 40,
        "tests read state through typed helpers (leadline_tests::inspect, the store's own functions); raw SQL only where the store itself or an exactly-once invariant is the point: {total} lines\n{}",
        counted
            .iter()
            .map(|(lines, file)| format!("  {lines} {file}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        sql_lines("let a = \"SELECT x\n FROM t\"; let b = r#\"UPDATE t SET x = 1\"#; \"select\""),
        3,
        "the count sees both kinds of literal, and a multi-line one by its lines"
    );
}
