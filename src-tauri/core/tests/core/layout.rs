//! The source layout's rules, checked on the files themselves: no module imports a module
//! that imports it back (in the core and in the shell), and the core's SQL lives in
//! `store/` only.
//!
//! A module is a file. It depends on every module its paths name (`crate::a::b`,
//! `super::x`, or a child `x::` of its own), taken to the deepest module the path reaches;
//! a `pub use` in a parent only gives a name another home, so a path through it counts as
//! a path to where the name really lives. `mod x;` is not an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One crate's modules: path ("a::b", "" for the root) → source without comments/strings.
struct Crate {
    modules: BTreeMap<String, String>,
    /// (module, name) → module the `pub use` in `module` points the name at.
    aliases: BTreeMap<(String, String), String>,
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
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        // A binary's `main.rs` is a crate of its own; `bin/` is too.
        if parts.first().map(String::as_str) == Some("bin") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // A file's own unit tests (at its end) are not part of the layout.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        modules.insert(parts.join("::"), strip(text));
    }
    let mut krate = Crate {
        modules,
        aliases: BTreeMap::new(),
    };
    let mut aliases = BTreeMap::new();
    for (module, text) in &krate.modules {
        for (name, path) in reexports(text) {
            let target = krate.resolve(module, &path);
            if let Some(target) = target {
                aliases.insert((module.clone(), name), target);
            }
        }
    }
    krate.aliases = aliases;
    krate
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

/// The source with comments and string literals blanked (doc links and SQL aren't paths).
fn strip(text: &str) -> String {
    let bytes: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < bytes.len() && bytes[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < bytes.len() && !(bytes[i] == '*' && bytes[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident(out.chars().last())
        {
            // Raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while bytes.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if bytes.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= bytes.len() {
                    break;
                }
                if bytes[j] == '"' && (0..hashes).all(|h| bytes.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < bytes.len() && bytes[i] != '"' {
                if bytes[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next.is_some() && bytes.get(i + 2) == Some(&'\'') {
            // A char literal such as '"'.
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && next == Some('\\') {
            let mut j = i + 2;
            while j < bytes.len() && bytes[j] != '\'' {
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

/// `pub use a::b::{C, d::E}` in a module: (name it is known by here, path).
fn reexports(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for statement in text.split(';') {
        let s = statement.trim();
        let Some(rest) = s
            .strip_prefix("pub use ")
            .or_else(|| s.strip_prefix("pub(crate) use "))
        else {
            continue;
        };
        for path in expand(rest.trim()) {
            let name = path.last().cloned().unwrap_or_default();
            out.push((name, path));
        }
    }
    out
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

impl Crate {
    /// The module a path written in `from` reaches, if it is one of this crate's.
    fn resolve(&self, from: &str, path: &[String]) -> Option<String> {
        let here: Vec<&str> = if from.is_empty() {
            vec![]
        } else {
            from.split("::").collect()
        };
        let (mut base, rest): (Vec<String>, &[String]) = match path.first()?.as_str() {
            "crate" => (vec![], &path[1..]),
            "super" => {
                let mut base: Vec<String> = here.iter().map(|s| s.to_string()).collect();
                let mut rest = path;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                (base, rest)
            }
            "self" => (here.iter().map(|s| s.to_string()).collect(), &path[1..]),
            first => {
                // A child of this module, written without `self::`.
                let mut child: Vec<String> = here.iter().map(|s| s.to_string()).collect();
                child.push(first.to_string());
                if !self.modules.contains_key(&child.join("::")) {
                    return None;
                }
                (here.iter().map(|s| s.to_string()).collect(), path)
            }
        };
        for segment in rest {
            let mut deeper = base.clone();
            deeper.push(segment.clone());
            if self.modules.contains_key(&deeper.join("::")) {
                base = deeper;
                continue;
            }
            // A name re-exported by `base` lives where the re-export points.
            if let Some(target) = self.aliases.get(&(base.join("::"), segment.clone())) {
                return Some(target.clone());
            }
            break;
        }
        Some(base.join("::"))
    }

    /// Module → the modules it imports.
    fn imports(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut graph = BTreeMap::new();
        for (module, text) in &self.modules {
            let mut deps = BTreeSet::new();
            let reexported: BTreeSet<Vec<String>> =
                reexports(text).into_iter().map(|(_, p)| p).collect();
            for path in paths(text) {
                if reexported.contains(&path) {
                    continue;
                }
                if let Some(target) = self.resolve(module, &path) {
                    if &target != module {
                        deps.insert(target);
                    }
                }
            }
            graph.insert(module.clone(), deps);
        }
        graph
    }
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

fn assert_no_circles(src: &Path) {
    let krate = read_crate(src);
    let graph = krate.imports();
    let found = circles(&graph);
    assert!(
        found.is_empty(),
        "modules of {} that import each other (each line: a module → the ones of its circle it imports):\n{}",
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
    assert_no_circles(&src_dir("src"));
}

#[test]
fn no_module_of_the_shell_imports_one_that_imports_it_back() {
    assert_no_circles(&src_dir("../src"));
}

#[test]
fn the_checker_sees_a_circle_through_a_reexport_and_a_child_path() {
    let krate = Crate {
        modules: BTreeMap::from([
            (String::new(), "pub use a::Thing; mod a; mod b;".to_string()),
            (
                "a".to_string(),
                "use crate::b::other; pub struct Thing;".to_string(),
            ),
            (
                "b".to_string(),
                "use crate::Thing; pub fn other() {}".to_string(),
            ),
            ("c".to_string(), "use super::a::Thing;".to_string()),
        ]),
        aliases: BTreeMap::from([((String::new(), "Thing".to_string()), "a".to_string())]),
    };
    let graph = krate.imports();
    assert_eq!(
        circles(&graph),
        vec![vec!["a".to_string(), "b".to_string()]]
    );
    assert!(graph["c"].contains("a"));
}

/// Words that begin an SQL statement, as the first word of a string literal.
const SQL_VERBS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE", "CREATE",
];

#[test]
fn every_sql_statement_of_the_core_is_in_the_store() {
    let src = src_dir("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    let mut outside = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        if rel.starts_with("store") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
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
                && !line.contains("page.execute(");
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
