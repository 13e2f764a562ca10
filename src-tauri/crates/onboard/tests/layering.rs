//! The layout rules of the core and the simulator (docs/ARCHITECTURE.md), read from their
//! sources: the top-level modules import one another without cycles, so do the files of each
//! folder, a folder holds at most 15 files, and a `mod.rs` only declares and re-exports (an item
//! in it would make a cycle with the files that use it). Imports are the `crate::`, `super::`
//! and `self::` paths of the code; comments are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path, `["mailbox", "imap", "check"]`; the crate root is `[]`.
type ModPath = Vec<String>;

struct Crate {
    /// Every module of the crate and its source, without comments.
    modules: BTreeMap<ModPath, String>,
    /// Names a module re-exports (`pub use child::{A, B}`), with the module each comes from.
    reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>>,
}

const MAX_FILES: usize = 15;

fn read_crate(src: &Path) -> Crate {
    let mut modules = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).expect("below src");
                let mut parts: ModPath = rel
                    .with_extension("")
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    parts.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    parts.pop();
                }
                if parts.first().is_some_and(|p| p == "bin") {
                    continue; // binaries are crates of their own
                }
                let text = strip_comments(&std::fs::read_to_string(&path).expect("a source file"));
                let text = inline_supers(&text, &parts);
                modules.insert(parts, text);
            }
        }
    }
    let mut reexports = BTreeMap::new();
    for (module, text) in &modules {
        let mut names = BTreeMap::new();
        for body in statements(text, "pub use ") {
            for path in expand(&body) {
                let Some(name) = path.last().cloned() else {
                    continue;
                };
                let mut from = module.clone();
                from.extend(path[..path.len() - 1].iter().cloned());
                names.insert(name, from);
            }
        }
        reexports.insert(module.clone(), names);
    }
    Crate { modules, reexports }
}

/// The source without `//` and `/* */` comments (doc links name modules they do not use).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// `super::` inside an inline module (`mod tests { use super::*; }`) names the file itself:
/// written out as `crate::…` so that it reads as the file's own path.
fn inline_supers(text: &str, module: &[String]) -> String {
    let own = std::iter::once("crate")
        .chain(module.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("::");
    let mut out = String::with_capacity(text.len());
    // Brace depths at which an inline module's body opened.
    let (mut depth, mut bodies, mut rest) = (0usize, Vec::new(), text);
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("super::") && !bodies.is_empty() {
            out.push_str(&own);
            out.push_str("::");
            rest = &rest["super::".len()..];
            continue;
        }
        let word_start = out
            .chars()
            .next_back()
            .is_none_or(|p| !p.is_alphanumeric() && p != '_');
        if word_start && rest.starts_with("mod ") {
            let head = &rest[4..];
            let name_len = head
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(head.len());
            if head[name_len..].trim_start().starts_with('{') {
                bodies.push(depth + 1);
            }
        }
        match c {
            '{' => depth += 1,
            '}' => {
                if bodies.last() == Some(&depth) {
                    bodies.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The bodies of every statement starting with `keyword` (up to its `;`).
fn statements(text: &str, keyword: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(keyword) {
        let starts_line = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace());
        rest = &rest[at + keyword.len()..];
        let end = rest.find(';').unwrap_or(rest.len());
        if starts_line {
            out.push(rest[..end].to_owned());
        }
        rest = &rest[end..];
    }
    out
}

/// `a::{b, c::{d, e as f}}` as the paths `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<ModPath> {
    // `x as y` keeps `x`; then spaces go.
    let tree: String = tree
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" as ", "@")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut out = Vec::new();
    expand_into(&tree, &mut Vec::new(), &mut out);
    out
}

fn expand_into(tree: &str, prefix: &mut ModPath, out: &mut Vec<ModPath>) {
    let braces = tree.find('{').zip(tree.rfind('}'));
    if let Some((open, close)) = braces.filter(|(o, c)| o < c) {
        let head: ModPath = tree[..open]
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let inner = &tree[open + 1..close];
        let n = prefix.len();
        prefix.extend(head);
        for part in split_top(inner) {
            expand_into(&part, prefix, out);
        }
        prefix.truncate(n);
    } else if !tree.is_empty() {
        let path = tree.split('@').next().unwrap_or(tree);
        let mut full = prefix.clone();
        full.extend(
            path.split("::")
                .filter(|s| !s.is_empty() && *s != "self")
                .map(str::to_owned),
        );
        out.push(full);
    }
}

fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut depth, mut cur) = (Vec::new(), 0, String::new());
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Every module path `text` (in `module`) refers to, absolute.
fn references(module: &ModPath, is_folder: bool, text: &str) -> Vec<ModPath> {
    // `super::` of a file is its folder; of a folder's mod.rs, the folder's parent.
    let parent = |n: usize| -> ModPath {
        let base = if is_folder {
            module.len()
        } else {
            module.len().saturating_sub(1)
        };
        module[..base.saturating_sub(n - 1)].to_vec()
    };
    let resolve = |path: ModPath| -> Option<ModPath> {
        let mut supers = 0;
        while path.get(supers).is_some_and(|p| p == "super") {
            supers += 1;
        }
        match path.first().map(String::as_str) {
            Some("crate") => Some(path[1..].to_vec()),
            Some("super") => {
                let mut p = parent(supers);
                p.extend(path[supers..].iter().cloned());
                Some(p)
            }
            Some("self") if is_folder => {
                let mut p = module.clone();
                p.extend(path[1..].iter().cloned());
                Some(p)
            }
            _ => None,
        }
    };
    let mut out = Vec::new();
    for body in statements(text, "use ") {
        out.extend(expand(&body).into_iter().filter_map(resolve));
    }
    // Paths written inline: `crate::a::b::f()`, `super::x::Y`.
    for start in ["crate::", "super::"] {
        let mut rest = text;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().next_back();
            let tail = &rest[at..];
            let len = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':')) {
                let path: ModPath = tail[..len]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                out.extend(resolve(path));
            }
            rest = &rest[at + len.max(1)..];
        }
    }
    out
}

impl Crate {
    fn is_module(&self, path: &[String]) -> bool {
        self.modules.contains_key(path)
    }

    /// The module a path ends in: its longest prefix that is a module, followed through
    /// re-exports (`crate::mailbox::Folder` is `mailbox::folders`).
    fn target(&self, path: &[String]) -> ModPath {
        let mut n = path.len();
        while n > 0 && !self.is_module(&path[..n]) {
            n -= 1;
        }
        let module = path[..n].to_vec();
        let Some(name) = path.get(n) else {
            return module;
        };
        match self.reexports.get(&module).and_then(|r| r.get(name)) {
            Some(from) if from != &module => {
                let mut next = from.clone();
                next.push(name.clone());
                self.target(&next)
            }
            _ => module,
        }
    }

    fn is_folder(&self, module: &ModPath) -> bool {
        self.modules
            .keys()
            .any(|m| m.len() > module.len() && m.starts_with(module))
    }

    /// Edges between the children of `folder` (or the top-level modules for `[]`): child `a`
    /// uses something in child `b`.
    fn edges(&self, folder: &ModPath) -> BTreeMap<String, BTreeSet<String>> {
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, text) in &self.modules {
            if module.len() <= folder.len() || !module.starts_with(folder) {
                continue;
            }
            let from = module[folder.len()].clone();
            edges.entry(from.clone()).or_default();
            for path in references(module, self.is_folder(module), text) {
                let to = self.target(&path);
                if to.len() > folder.len() && to.starts_with(folder) && to[folder.len()] != from {
                    edges
                        .entry(from.clone())
                        .or_default()
                        .insert(to[folder.len()].clone());
                }
            }
        }
        edges
    }

    /// Every folder's cycles, each as `a → b → a`; files per folder over the limit; items in a
    /// `mod.rs` that its children use.
    fn violations(&self) -> Vec<String> {
        let mut found = Vec::new();
        let folders: BTreeSet<ModPath> = self
            .modules
            .keys()
            .flat_map(|m| (0..m.len()).map(|n| m[..n].to_vec()))
            .collect();
        for folder in &folders {
            let name = if folder.is_empty() {
                "the crate's top level".to_owned()
            } else {
                folder.join("/")
            };
            let edges = self.edges(folder);
            for group in tangles(&edges) {
                let inside: BTreeMap<String, BTreeSet<String>> = group
                    .iter()
                    .map(|n| (n.clone(), &edges[n] & &group))
                    .collect();
                let cycle = find_cycle(&inside).unwrap_or_default();
                found.push(format!("{name}: imports go round: {}", cycle.join(" → ")));
            }
            let files = self
                .modules
                .keys()
                .filter(|m| m.len() == folder.len() + 1 && m.starts_with(folder))
                .filter(|m| !self.is_folder(m))
                .count();
            if files > MAX_FILES && !folder.is_empty() {
                found.push(format!("{name}: {files} files, more than {MAX_FILES}"));
            }
            // A child that uses an item of the folder's own mod.rs (not a re-export).
            if !folder.is_empty() {
                for (module, text) in &self.modules {
                    if module.len() <= folder.len() || !module.starts_with(folder) {
                        continue;
                    }
                    for path in references(module, self.is_folder(module), text) {
                        if path.len() == folder.len() + 1
                            && path.starts_with(folder)
                            && self.target(&path) == *folder
                            && !self.is_module(&path)
                        {
                            found.push(format!(
                                "{}: uses {} from {name}/mod.rs, which should only map its files",
                                module.join("/"),
                                path.join("::")
                            ));
                        }
                    }
                }
            }
        }
        found.sort();
        found.dedup();
        found
    }
}

/// The groups of nodes that reach one another (strongly connected components of two or more,
/// by Tarjan's algorithm): each holds at least one cycle.
fn tangles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, (usize, usize)>,
        stack: Vec<&'a str>,
        groups: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, node: &'a str) {
        let n = w.index.len();
        w.index.insert(node, (n, n));
        w.stack.push(node);
        let edges = w.edges;
        for next in edges.get(node).into_iter().flatten() {
            let low = match w.index.get(next.as_str()) {
                None => {
                    visit(w, next);
                    w.index[next.as_str()].1
                }
                Some(&(i, _)) if w.stack.contains(&next.as_str()) => i,
                Some(_) => continue,
            };
            let entry = w.index.get_mut(node).expect("visited");
            entry.1 = entry.1.min(low);
        }
        let (i, low) = w.index[node];
        if i == low {
            let mut group = BTreeSet::new();
            while let Some(top) = w.stack.pop() {
                group.insert(top.to_owned());
                if top == node {
                    break;
                }
            }
            if group.len() > 1 {
                w.groups.push(group);
            }
        }
    }
    let mut w = Walk {
        edges,
        index: BTreeMap::new(),
        stack: Vec::new(),
        groups: Vec::new(),
    };
    for node in edges.keys() {
        if !w.index.contains_key(node.as_str()) {
            visit(&mut w, node);
        }
    }
    w.groups
}

/// A cycle in `edges`, if there is one, as the names along it (first repeated at the end).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let at = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut cycle = path[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, edges, state, path) {
                        return Some(c);
                    }
                }
            }
        }
        path.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str()) {
            if let Some(c) = visit(node, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src")
}

#[test]
fn the_core_imports_flow_one_way() {
    let found = read_crate(&crate_src("onboard")).violations();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_simulator_imports_flow_one_way() {
    let found = read_crate(&crate_src("m365-sim")).violations();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The reader itself: a small crate whose cycles it must find (and a clean one it must pass).
#[test]
fn cycles_and_overfull_folders_are_found() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let write = |path: &str, text: &str| {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("a folder");
        std::fs::write(p, text).expect("a file");
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub use a::Thing;\n");
    write("a/mod.rs", "mod x;\nmod y;\npub use x::Thing;\n");
    write("a/x.rs", "use super::y::Other;\npub struct Thing;\n");
    write(
        "a/y.rs",
        "pub struct Other;\n// use super::x::Thing; (a comment)\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
    );
    write(
        "b.rs",
        "use crate::Thing; // through the root's re-export\n",
    );
    assert_eq!(read_crate(dir.path()).violations(), Vec::<String>::new());

    write("a/y.rs", "pub struct Other(crate::a::x::Thing);\n");
    write(
        "a/x.rs",
        "use crate::b::helper;\nuse super::y::Other;\npub struct Thing;\n",
    );
    write("b.rs", "pub fn helper() {}\nuse crate::{Thing};\n");
    for i in 0..16 {
        write(&format!("b_many/f{i}.rs"), "");
    }
    let found = read_crate(dir.path()).violations();
    assert_eq!(
        found,
        [
            "a: imports go round: x → y → x",
            "b_many: 16 files, more than 15",
            "the crate's top level: imports go round: a → b → a",
        ],
        "{found:#?}"
    );
}
