//! Serde types for the OParl 1.0/1.1 objects the importer reads.
//!
//! Real OParl servers deviate from the specification in many small ways (a
//! single string where a list is specified, an empty `number`, a missing
//! `type`), so every field except `id` is optional and *lenient*: a value of
//! the wrong shape is read as absent instead of failing the whole object.
//! Unknown fields (vendor extensions such as `STERNBERG:sortierung`) are
//! ignored. Objects may be embedded or referenced by URL ([`Ref`]).

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;

/// A field that holds either an embedded object or the URL of one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Ref<T> {
    Url(String),
    Object(Box<T>),
}

impl<T: HasId> Ref<T> {
    /// The referenced object's id, embedded or not.
    pub fn id(&self) -> &str {
        match self {
            Ref::Url(url) => url,
            Ref::Object(obj) => obj.id(),
        }
    }
}

/// Objects with an OParl `id`.
pub trait HasId {
    fn id(&self) -> &str;
}

/// Read a value; a value of the wrong shape becomes `T::default()`.
fn lenient<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let value = serde_json::Value::deserialize(d)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

/// Read a list that a server may also send as a single value (or `null`);
/// elements of the wrong shape are dropped.
fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(d)?;
    Ok(match value {
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter_map(|v| T::deserialize(v).ok())
            .collect(),
        serde_json::Value::Null => Vec::new(),
        single => T::deserialize(single).into_iter().collect(),
    })
}

/// An embedded-or-URL reference; one without an id (`[]`, `{}`) is absent.
fn ref_opt<'de, D, T>(d: D) -> Result<Option<Ref<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + HasId,
{
    let value: Option<Ref<T>> = lenient(d)?;
    Ok(value.filter(|r| !r.id().trim().is_empty()))
}

/// A list of references, dropping those without an id.
fn ref_list<'de, D, T>(d: D) -> Result<Vec<Ref<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + HasId,
{
    let mut refs: Vec<Ref<T>> = lenient_list(d)?;
    refs.retain(|r| !r.id().trim().is_empty());
    Ok(refs)
}

/// A non-empty, trimmed string or nothing.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value: Option<String> = lenient(d)?;
    Ok(value
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty()))
}

macro_rules! has_id {
    ($($t:ty),*) => {$(
        impl HasId for $t {
            fn id(&self) -> &str {
                &self.id
            }
        }
    )*};
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct System {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub oparl_version: Option<String>,
    /// URL of the list of bodies.
    #[serde(deserialize_with = "text")]
    pub body: Option<String>,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Body {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub short_name: Option<String>,
    /// URLs of the body's lists.
    #[serde(deserialize_with = "text")]
    pub organization: Option<String>,
    #[serde(deserialize_with = "text")]
    pub paper: Option<String>,
    #[serde(deserialize_with = "text")]
    pub meeting: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Organization {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub short_name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub organization_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct File {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub file_name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub mime_type: Option<String>,
    #[serde(deserialize_with = "text")]
    pub date: Option<String>,
    /// The file's text, when the server provides it.
    #[serde(deserialize_with = "text")]
    pub text: Option<String>,
    #[serde(deserialize_with = "text")]
    pub access_url: Option<String>,
    #[serde(deserialize_with = "text")]
    pub download_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Consultation {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub paper: Option<String>,
    #[serde(deserialize_with = "text")]
    pub meeting: Option<String>,
    #[serde(deserialize_with = "text")]
    pub agenda_item: Option<String>,
    #[serde(deserialize_with = "lenient_list")]
    pub organization: Vec<String>,
    #[serde(deserialize_with = "lenient")]
    pub authoritative: Option<bool>,
    #[serde(deserialize_with = "text")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Paper {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub body: Option<String>,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub reference: Option<String>,
    #[serde(deserialize_with = "text")]
    pub date: Option<String>,
    #[serde(deserialize_with = "text")]
    pub paper_type: Option<String>,
    #[serde(deserialize_with = "ref_opt")]
    pub main_file: Option<Ref<File>>,
    #[serde(deserialize_with = "ref_list")]
    pub auxiliary_file: Vec<Ref<File>>,
    #[serde(deserialize_with = "ref_list")]
    pub consultation: Vec<Ref<Consultation>>,
    #[serde(deserialize_with = "lenient_list")]
    pub under_direction_of: Vec<String>,
    #[serde(deserialize_with = "text")]
    pub web: Option<String>,
    #[serde(deserialize_with = "text")]
    pub modified: Option<String>,
}

impl Paper {
    /// Main file first, then the auxiliary files.
    pub fn files(&self) -> impl Iterator<Item = &Ref<File>> {
        self.main_file.iter().chain(&self.auxiliary_file)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgendaItem {
    pub id: String,
    /// Back-link, present when the item is served on its own.
    #[serde(deserialize_with = "text")]
    pub meeting: Option<String>,
    #[serde(deserialize_with = "text")]
    pub number: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub order: Option<i64>,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub public: Option<bool>,
    #[serde(deserialize_with = "text")]
    pub consultation: Option<String>,
    #[serde(deserialize_with = "text")]
    pub result: Option<String>,
    #[serde(deserialize_with = "text")]
    pub resolution_text: Option<String>,
    #[serde(deserialize_with = "ref_opt")]
    pub resolution_file: Option<Ref<File>>,
    #[serde(deserialize_with = "ref_list")]
    pub auxiliary_file: Vec<Ref<File>>,
}

/// A meeting's location; only its description is used.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Location {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Meeting {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub body: Option<String>,
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub start: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub cancelled: Option<bool>,
    #[serde(deserialize_with = "ref_opt")]
    pub location: Option<Ref<Location>>,
    #[serde(deserialize_with = "lenient_list")]
    pub organization: Vec<String>,
    #[serde(deserialize_with = "ref_opt")]
    pub invitation: Option<Ref<File>>,
    #[serde(deserialize_with = "ref_opt")]
    pub results_protocol: Option<Ref<File>>,
    #[serde(deserialize_with = "ref_opt")]
    pub verbatim_protocol: Option<Ref<File>>,
    #[serde(deserialize_with = "ref_list")]
    pub auxiliary_file: Vec<Ref<File>>,
    #[serde(deserialize_with = "ref_list")]
    pub agenda_item: Vec<Ref<AgendaItem>>,
    #[serde(deserialize_with = "text")]
    pub web: Option<String>,
}

impl Meeting {
    /// Invitation, protocols and auxiliary files, in that order.
    pub fn files(&self) -> impl Iterator<Item = &Ref<File>> {
        self.invitation
            .iter()
            .chain(&self.results_protocol)
            .chain(&self.verbatim_protocol)
            .chain(&self.auxiliary_file)
    }
}

has_id!(
    System,
    Body,
    Organization,
    File,
    Consultation,
    Paper,
    AgendaItem,
    Location,
    Meeting
);

/// The object type named by an OParl `type` URL
/// (`https://schema.oparl.org/1.1/Paper` → `Paper`).
pub fn type_name(type_url: &str) -> &str {
    type_url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(type_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_shapes_are_read_as_absent() {
        let paper: Paper = serde_json::from_value(serde_json::json!({
            "id": "p/1",
            "name": "  Haushalt 2025 \n",
            "reference": 17,
            "consultation": {"id": "c/1", "organization": "o/1"},
            "auxiliaryFile": ["f/1", 5, {"id": "f/2", "text": "Text"}],
            "mainFile": [],
            "STERNBERG:sortierung": 3
        }))
        .unwrap();
        assert_eq!(paper.name.as_deref(), Some("Haushalt 2025"));
        assert_eq!(paper.reference, None);
        assert_eq!(paper.consultation.len(), 1);
        let Ref::Object(c) = &paper.consultation[0] else {
            panic!("embedded consultation expected")
        };
        assert_eq!(c.organization, ["o/1"]);
        assert_eq!(paper.auxiliary_file.len(), 2);
        assert_eq!(paper.auxiliary_file[0].id(), "f/1");
        assert_eq!(paper.auxiliary_file[1].id(), "f/2");
        assert_eq!(paper.main_file, None);
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name("https://schema.oparl.org/1.1/Paper"), "Paper");
        assert_eq!(
            type_name("https://schema.oparl.org/1.0/Meeting/"),
            "Meeting"
        );
        assert_eq!(type_name("Body"), "Body");
    }
}
