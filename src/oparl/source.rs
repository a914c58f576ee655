//! Where OParl objects come from: a directory of saved JSON, or a live
//! endpoint read page by page. Both fill one [`Store`].
//!
//! A directory may hold `*.json` files (a single object, a list page
//! `{"data": [...], "links": …}`, or a JSON array), `*.jsonl` and
//! `*.jsonl.gz` (one object per line), in any folder depth, with any file
//! names — saved crawls name pages after their URLs (`paper%3Fpage%3D2.json`).
//!
//! A live endpoint is read from its System (or a Body, or a list URL):
//! System → body list → each Body's organization, meeting and paper lists,
//! following `links.next` until the last page. With `modified_since` the
//! paper and meeting lists are asked only for objects changed since then
//! (the specification's list parameter), which is how a sync stays
//! incremental; servers that ignore it just send everything.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::types::{self, AgendaItem, Body, Consultation, File, Meeting, Organization, Paper};
use crate::error::{Error, Result};

/// Safety net against servers whose `links.next` never ends.
pub const MAX_PAGES_PER_LIST: usize = 100_000;

/// Every object read so far, by kind; later copies of an id replace earlier ones.
#[derive(Debug, Default)]
pub struct Store {
    pub bodies: HashMap<String, Body>,
    pub organizations: HashMap<String, Organization>,
    pub consultations: HashMap<String, Consultation>,
    pub files: HashMap<String, File>,
    pub agenda_items: HashMap<String, AgendaItem>,
    /// Papers and meetings in the order first seen (ids are unique).
    pub papers: Vec<Paper>,
    pub meetings: Vec<Meeting>,
    paper_pos: HashMap<String, usize>,
    meeting_pos: HashMap<String, usize>,
    /// Ids of `deleted: true` entries (tombstones): removed from the index.
    pub deleted: Vec<String>,
    /// Entries not imported, by reason ("no type", "type Person", …).
    pub skipped: BTreeMap<String, usize>,
    /// Source files or pages that could not be read, with the reason.
    pub failed: Vec<(String, String)>,
    /// List pages read (directory files or HTTP pages).
    pub pages: usize,
}

impl Store {
    fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    /// Add one JSON value: an object, a list page or an array of objects.
    pub fn add_value(&mut self, value: Value) {
        match value {
            Value::Array(items) => items.into_iter().for_each(|v| self.add_object(v)),
            Value::Object(mut map) if map.get("data").is_some_and(Value::is_array) => {
                if let Some(Value::Array(items)) = map.remove("data") {
                    items.into_iter().for_each(|v| self.add_object(v));
                }
            }
            other => self.add_object(other),
        }
    }

    /// Add one OParl object; tombstones, objects without `type` and kinds
    /// the index does not hold are counted in [`Store::skipped`].
    pub fn add_object(&mut self, value: Value) {
        let Some(obj) = value.as_object() else {
            self.skip("not a JSON object");
            return;
        };
        let Some(id) = obj.get("id").and_then(Value::as_str).map(str::to_string) else {
            self.skip("no id (not an OParl object)");
            return;
        };
        if obj.get("deleted").and_then(Value::as_bool) == Some(true) {
            self.deleted.push(id);
            self.skip("deleted");
            return;
        }
        let Some(ty) = obj.get("type").and_then(Value::as_str) else {
            self.skip("no type");
            return;
        };
        let ty = types::type_name(ty).to_string();
        let result = match ty.as_str() {
            "Paper" => serde_json::from_value(value).map(|p: Paper| {
                // Embedded consultations and files are objects of their own too.
                for c in &p.consultation {
                    if let types::Ref::Object(c) = c {
                        self.consultations.insert(c.id.clone(), (**c).clone());
                    }
                }
                match self.paper_pos.get(&p.id) {
                    Some(&i) => self.papers[i] = p,
                    None => {
                        self.paper_pos.insert(p.id.clone(), self.papers.len());
                        self.papers.push(p);
                    }
                }
            }),
            "Meeting" => {
                serde_json::from_value(value).map(|m: Meeting| match self.meeting_pos.get(&m.id) {
                    Some(&i) => self.meetings[i] = m,
                    None => {
                        self.meeting_pos.insert(m.id.clone(), self.meetings.len());
                        self.meetings.push(m);
                    }
                })
            }
            "Body" => serde_json::from_value(value).map(|b: Body| {
                self.bodies.insert(b.id.clone(), b);
            }),
            "Organization" => serde_json::from_value(value).map(|o: Organization| {
                self.organizations.insert(o.id.clone(), o);
            }),
            "Consultation" => serde_json::from_value(value).map(|c: Consultation| {
                self.consultations.insert(c.id.clone(), c);
            }),
            "File" => serde_json::from_value(value).map(|f: File| {
                self.files.insert(f.id.clone(), f);
            }),
            "AgendaItem" => serde_json::from_value(value).map(|a: AgendaItem| {
                self.agenda_items.insert(a.id.clone(), a);
            }),
            "System" => Ok(()),
            other => {
                self.skip(format!("type {other} (not indexed)"));
                return;
            }
        };
        if let Err(e) = result {
            self.skip(format!("invalid {ty}"));
            tracing::debug!("invalid {ty} {id}: {e}");
        }
    }
}

/// Read every `.json`, `.jsonl` and `.jsonl.gz` file under `dir`.
pub fn read_dir(dir: &Path, store: &mut Store) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
        ));
    }
    // Links are followed as in `ingest::discover`, each folder once; a loop
    // is a failed entry. Two links to one file read it twice (a later copy
    // of an object replaces the earlier one, so only `pages` counts it
    // twice).
    let mut folders = std::collections::HashSet::new();
    for entry in crate::ingest::walk(dir, &mut folders) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(dir).display().to_string();
                store.failed.push((path, e.to_string()));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase());
        let name = name.as_deref().unwrap_or_default();
        let result = if name.ends_with(".jsonl.gz") {
            std::fs::File::open(path).map(|f| {
                read_lines(
                    std::io::BufReader::new(flate2::read::GzDecoder::new(f)),
                    store,
                )
            })
        } else if name.ends_with(".jsonl") {
            std::fs::File::open(path).map(|f| read_lines(std::io::BufReader::new(f), store))
        } else if name.ends_with(".json") {
            read_json_file(path, store)
        } else {
            continue;
        };
        store.pages += 1;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => store.failed.push((path.display().to_string(), reason)),
            Err(e) => store
                .failed
                .push((path.display().to_string(), e.to_string())),
        }
    }
    Ok(())
}

fn read_json_file(
    path: &Path,
    store: &mut Store,
) -> std::io::Result<std::result::Result<(), String>> {
    let bytes = std::fs::read(path)?;
    Ok(match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) => {
            store.add_value(value);
            Ok(())
        }
        Err(e) => Err(format!("not JSON: {e}")),
    })
}

/// One object per line; a bad line is reported, the rest still read.
fn read_lines(reader: impl BufRead, store: &mut Store) -> std::result::Result<(), String> {
    let mut bad = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&line) {
            Ok(value) => store.add_value(value),
            Err(e) => bad.push(format!("line {}: {e}", i + 1)),
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!("{} bad lines, first: {}", bad.len(), bad[0]))
    }
}

/// Something that answers GET requests with JSON (a live server; in tests a
/// local one). Errors are messages naming the URL.
pub trait Fetch: Sync {
    fn get_json(&self, url: &str) -> std::result::Result<Value, String>;
    /// The bytes of a file (PDF) at `url`, up to `limit` bytes.
    fn get_bytes(&self, url: &str, limit: u64) -> std::result::Result<Vec<u8>, String>;
}

/// [`Fetch`] over HTTP(S) with `ureq` (rustls, gzip), with timeouts.
pub struct HttpFetch {
    agent: ureq::Agent,
}

impl Default for HttpFetch {
    fn default() -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(120)))
            .user_agent(concat!(
                "ratsuche/",
                env!("CARGO_PKG_VERSION"),
                " (OParl import)"
            ))
            .build();
        HttpFetch {
            agent: config.into(),
        }
    }
}

impl Fetch for HttpFetch {
    fn get_json(&self, url: &str) -> std::result::Result<Value, String> {
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| format!("{url}: {e}"))?;
        let bytes = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| format!("{url}: {e}"))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{url}: not JSON: {e}"))
    }

    fn get_bytes(&self, url: &str, limit: u64) -> std::result::Result<Vec<u8>, String> {
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| format!("{url}: {e}"))?;
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| format!("{url}: {e}"))
    }
}

/// `url` with `key=value` added to its query string (value percent-encoded
/// where a timestamp needs it: `+` and `:`).
pub fn with_param(url: &str, key: &str, value: &str) -> String {
    let encoded: String = value
        .chars()
        .map(|c| match c {
            '+' => "%2B".to_string(),
            ':' => "%3A".to_string(),
            ' ' => "%20".to_string(),
            c => c.to_string(),
        })
        .collect();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={encoded}")
}

/// Read a live endpoint starting at `url` (a System, Body or list URL).
pub fn read_url(
    fetch: &dyn Fetch,
    url: &str,
    modified_since: Option<&str>,
    store: &mut Store,
) -> Result<()> {
    let first = fetch
        .get_json(url)
        .map_err(|e| Error::Oparl(format!("endpoint: {e}")))?;
    store.pages += 1;
    let ty = first
        .get("type")
        .and_then(Value::as_str)
        .map(types::type_name)
        .unwrap_or_default()
        .to_string();
    let mut bodies: Vec<Body> = Vec::new();
    match ty.as_str() {
        "System" => {
            let system: types::System = serde_json::from_value(first.clone()).unwrap_or_default();
            let Some(list) = system.body else {
                return Err(Error::Oparl(format!("System {url} names no body list")));
            };
            let mut page_store = Store::default();
            read_list(fetch, &list, None, &mut page_store);
            store.pages += page_store.pages;
            store.failed.append(&mut page_store.failed);
            bodies.extend(page_store.bodies.into_values());
        }
        "Body" => bodies.push(serde_json::from_value(first.clone()).unwrap_or_default()),
        _ if first.get("data").is_some() => {
            // A list URL given directly: read it all; bodies in it are
            // followed below.
            store.add_value(first.clone());
            follow_next(fetch, &first, None, store, HashSet::from([url.to_string()]));
            bodies.extend(store.bodies.values().cloned());
        }
        _ => store.add_value(first),
    }
    bodies.sort_by(|a, b| a.id.cmp(&b.id));
    for body in bodies {
        for list in [&body.organization, &body.meeting, &body.paper]
            .into_iter()
            .flatten()
        {
            // Organizations are few and needed whole to name Gremien.
            let since = if Some(list) == body.organization.as_ref() {
                None
            } else {
                modified_since
            };
            read_list(fetch, list, since, store);
        }
        store.bodies.insert(body.id.clone(), body);
    }
    Ok(())
}

/// Read all pages of one list, adding `modified_since` to the first URL.
fn read_list(fetch: &dyn Fetch, list: &str, modified_since: Option<&str>, store: &mut Store) {
    let url = match modified_since {
        Some(since) => with_param(list, "modified_since", since),
        None => list.to_string(),
    };
    match fetch.get_json(&url) {
        Ok(page) => {
            store.pages += 1;
            store.add_value(page.clone());
            follow_next(fetch, &page, modified_since, store, HashSet::from([url]));
        }
        Err(e) => store.failed.push((url, e)),
    }
}

/// Follow `links.next` from `page` until a page has none (or repeats).
fn follow_next(
    fetch: &dyn Fetch,
    page: &Value,
    modified_since: Option<&str>,
    store: &mut Store,
    mut seen: HashSet<String>,
) {
    let mut next = next_link(page);
    while let Some(url) = next.take() {
        if !seen.insert(url.clone()) || seen.len() > MAX_PAGES_PER_LIST {
            store
                .failed
                .push((url, "paging loop: next page already read".into()));
            break;
        }
        // The specification says `next` keeps the list's parameters; add
        // `modified_since` again for servers that drop it.
        let url = match modified_since {
            Some(since) if !url.contains("modified_since=") => {
                with_param(&url, "modified_since", since)
            }
            _ => url,
        };
        match fetch.get_json(&url) {
            Ok(page) => {
                store.pages += 1;
                next = next_link(&page);
                store.add_value(page);
            }
            Err(e) => store.failed.push((url, e)),
        }
    }
}

fn next_link(page: &Value) -> Option<String> {
    page.get("links")?
        .get("next")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Local texts of Files: `<dir>/<last segment of the File id>.txt` (or
/// `.pdf`, extracted as any indexed PDF), e.g. `file-contents/655593.txt`
/// for `…/files/655593`; also `<dir>/<fileName>`.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    pub dir: PathBuf,
}

impl LocalFiles {
    /// The local file holding `file`'s content, if there is one.
    pub fn find(&self, file: &File) -> Option<PathBuf> {
        let last = file.id.trim_end_matches('/').rsplit('/').next()?;
        let mut candidates = vec![
            self.dir.join(format!("{last}.txt")),
            self.dir.join(format!("{last}.pdf")),
        ];
        if let Some(name) = &file.file_name {
            if !name.contains('/') && !name.contains("..") {
                candidates.push(self.dir.join(name));
            }
        }
        candidates.into_iter().find(|p| p.is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tombstones_and_untyped_entries_are_counted() {
        let mut store = Store::default();
        store.add_value(json!({"data": [
            {"id": "p/1", "type": "https://schema.oparl.org/1.0/Paper", "name": "A"},
            {"id": "p/2", "deleted": true},
            {"id": "p/3", "name": "no type"},
            {"id": "x/1", "type": "https://schema.oparl.org/1.0/Person"},
            {"type": "https://schema.oparl.org/1.0/Paper"},
        ], "links": {}}));
        assert_eq!(store.papers.len(), 1);
        assert_eq!(store.deleted, ["p/2"]);
        assert_eq!(store.skipped["deleted"], 1);
        assert_eq!(store.skipped["no type"], 1);
        assert_eq!(store.skipped["type Person (not indexed)"], 1);
        assert_eq!(store.skipped["no id (not an OParl object)"], 1);
    }

    #[test]
    fn a_later_copy_replaces_an_earlier_one() {
        let mut store = Store::default();
        let ty = "https://schema.oparl.org/1.1/Paper";
        store.add_object(json!({"id": "p/1", "type": ty, "name": "old"}));
        store.add_object(json!({"id": "p/1", "type": ty, "name": "new"}));
        assert_eq!(store.papers.len(), 1);
        assert_eq!(store.papers[0].name.as_deref(), Some("new"));
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_reached_through_two_links_is_read_once() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        let page = json!({"data": [
            {"id": "p/1", "type": "https://schema.oparl.org/1.1/Paper", "name": "A"},
        ], "links": {}});
        std::fs::write(shared.join("papers.json"), page.to_string()).unwrap();
        let root = dir.path().join("crawl");
        std::fs::create_dir(&root).unwrap();
        symlink(&shared, root.join("a")).unwrap();
        symlink(&shared, root.join("b")).unwrap();
        let mut store = Store::default();
        read_dir(&root, &mut store).unwrap();
        assert_eq!(store.pages, 1, "{:?}", store.failed);
        assert_eq!(store.papers.len(), 1);
    }

    #[test]
    fn params_are_appended_and_encoded() {
        assert_eq!(
            with_param(
                "http://x/paper",
                "modified_since",
                "2024-01-01T00:00:00+01:00"
            ),
            "http://x/paper?modified_since=2024-01-01T00%3A00%3A00%2B01%3A00"
        );
        assert_eq!(
            with_param("http://x/p?page=2", "a", "b"),
            "http://x/p?page=2&a=b"
        );
    }
}
