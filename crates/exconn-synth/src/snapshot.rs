//! Sysinternals AD Explorer snapshots (`.dat`), written from records or
//! from objects built by hand, for the tests of exconn's snapshot reader.
//!
//! The layout is the one AD Explorer writes (header, object records with
//! their tables of property index and signed offset, tree-only records,
//! the 8-byte sentinel, the property table, empty class and rights tables,
//! the tree index); see `input/adexplorer` in exconn. Value blocks are
//! deduplicated as AD Explorer does when [`Snapshot::dedup`] is set: an
//! identical block written less than 1,000,000 bytes before is referred to
//! instead of copied, which gives negative offsets into earlier records.
//! [`Snapshot::write`] also returns the [`Layout`], so that tests can damage
//! exactly the field they mean to.

use std::collections::{BTreeMap, HashMap};

use exconn::record::{Body, Record, Value};

/// ADSTYPE numbers used here.
pub mod ads {
    /// A DN.
    pub const DN_STRING: u32 = 1;
    /// A case-exact string.
    pub const CASE_EXACT_STRING: u32 = 2;
    /// A case-ignore string (also object classes).
    pub const CASE_IGNORE_STRING: u32 = 3;
    /// A printable string.
    pub const PRINTABLE_STRING: u32 = 4;
    /// A boolean.
    pub const BOOLEAN: u32 = 6;
    /// A 32-bit integer.
    pub const INTEGER: u32 = 7;
    /// An octet string.
    pub const OCTET_STRING: u32 = 8;
    /// A `SYSTEMTIME`.
    pub const UTC_TIME: u32 = 9;
    /// A 64-bit integer.
    pub const LARGE_INTEGER: u32 = 10;
    /// Provider-specific (not decoded by readers).
    pub const PROV_SPECIFIC: u32 = 11;
    /// An object class.
    pub const OBJECT_CLASS: u32 = 12;
    /// A security descriptor.
    pub const NT_SECURITY_DESCRIPTOR: u32 = 25;
    /// DN with binary.
    pub const DN_WITH_BINARY: u32 = 27;
    /// DN with string (AD Explorer stores only the count).
    pub const DN_WITH_STRING: u32 = 28;
}

/// The header's size: objects start here.
pub const HEADER: usize = 0x43E;
/// How far back AD Explorer refers to an identical block.
const DEDUP_WINDOW: usize = 1_000_000;

/// One entry of the property table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    /// The lDAPDisplayName.
    pub name: String,
    /// AD Explorer's syntax number.
    pub syntax: i32,
    /// The ADSTYPE that says how values are encoded.
    pub ads_type: u32,
}

impl Property {
    /// A property.
    pub fn new(name: &str, syntax: i32, ads_type: u32) -> Property {
        Property {
            name: name.to_owned(),
            syntax,
            ads_type,
        }
    }

    /// The syntax and ADSTYPE of an attribute exconn's tests use, as AD
    /// Explorer records them (unknown ones: `None`).
    pub fn known(name: &str) -> Option<Property> {
        const KNOWN: &[(&str, i32, u32)] = &[
            ("distinguishedName", 18, ads::DN_STRING),
            ("objectClass", 12, ads::CASE_IGNORE_STRING),
            ("cn", 7, ads::CASE_IGNORE_STRING),
            ("name", 7, ads::CASE_IGNORE_STRING),
            ("objectGUID", 11, ads::OCTET_STRING),
            ("objectSid", 14, ads::OCTET_STRING),
            ("isDeleted", 1, ads::BOOLEAN),
            ("showInAdvancedViewOnly", 1, ads::BOOLEAN),
            ("serialNumber", 13, ads::PRINTABLE_STRING),
            ("versionNumber", 3, ads::INTEGER),
            ("instanceType", 3, ads::INTEGER),
            ("msExchCurrentServerRoles", 3, ads::INTEGER),
            ("msExchSmtpSendEnabled", 1, ads::BOOLEAN),
            ("msExchSmtpReceiveEnabled", 1, ads::BOOLEAN),
            ("msExchSmtpSendPort", 3, ads::INTEGER),
            ("cost", 3, ads::INTEGER),
            ("delivContLength", 3, ads::INTEGER),
            ("deliveryMechanism", 3, ads::INTEGER),
            ("msExchSourceBridgeheadServersDN", 18, ads::DN_STRING),
            ("msExchTargetBridgeheadServersDN", 18, ads::DN_STRING),
            ("msExchServerSite", 18, ads::DN_STRING),
            ("homeMTA", 18, ads::DN_STRING),
            ("msExchDestinationRGDN", 18, ads::DN_STRING),
            ("whenCreated", 15, ads::UTC_TIME),
            ("whenChanged", 15, ads::UTC_TIME),
            ("uSNCreated", 4, ads::LARGE_INTEGER),
            ("uSNChanged", 4, ads::LARGE_INTEGER),
            ("nTSecurityDescriptor", 9, ads::NT_SECURITY_DESCRIPTOR),
            ("wellKnownObjects", 21, ads::OCTET_STRING),
            ("otherWellKnownObjects", 21, ads::OCTET_STRING),
            ("msDS-RevealedList", 17, ads::DN_WITH_STRING),
        ];
        KNOWN
            .iter()
            .find(|(known, ..)| known.eq_ignore_ascii_case(name))
            .map(|&(name, syntax, ads_type)| Property::new(name, syntax, ads_type))
    }

    /// A Unicode string attribute (syntax 7).
    pub fn string(name: &str) -> Property {
        Property::new(name, 7, ads::CASE_IGNORE_STRING)
    }

    /// An octet string attribute (syntax 11).
    pub fn octets(name: &str) -> Property {
        Property::new(name, 11, ads::OCTET_STRING)
    }

    fn encoding(&self) -> Encoding {
        match self.ads_type {
            1..=5 | 12 => Encoding::Strings,
            6 => Encoding::Boolean,
            7 => Encoding::Integer,
            8 if self.syntax == 21 => Encoding::DnBinary,
            8 | 25 => Encoding::Octets,
            9 => Encoding::Time,
            10 => Encoding::Large,
            27 => Encoding::DnBinary,
            _ => Encoding::CountOnly,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Strings,
    Boolean,
    Integer,
    Large,
    Octets,
    Time,
    DnBinary,
    CountOnly,
}

/// One value, as the property's ADSTYPE encodes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    /// A string (ADSTYPE 1–5, 12).
    Str(String),
    /// A boolean (6).
    Bool(bool),
    /// A 32-bit integer (7).
    Int(i32),
    /// A 64-bit integer (10).
    Large(i64),
    /// Bytes (8, 25).
    Octets(Vec<u8>),
    /// A `SYSTEMTIME` (9): year, month, day of week, day, hour, minute,
    /// second, milliseconds.
    Time([u16; 8]),
    /// DN-with-binary (27, or 8 with syntax 21): the bytes and the DN.
    DnBinary(Vec<u8>, String),
    /// The whole value block, count included, written as it is (the only
    /// value of its attribute): for damaged or unknown encodings.
    Block(Vec<u8>),
}

impl Val {
    /// A string value.
    pub fn str(text: &str) -> Val {
        Val::Str(text.to_owned())
    }
}

/// One object: its DN and its attributes with their values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object {
    /// The DN (table entry 0).
    pub dn: String,
    /// Attributes other than the DN, in table order.
    pub attrs: Vec<(String, Vec<Val>)>,
}

impl Object {
    /// An object with string attributes.
    pub fn strings(dn: &str, attrs: &[(&str, &[&str])]) -> Object {
        Object {
            dn: dn.to_owned(),
            attrs: attrs
                .iter()
                .map(|(name, values)| {
                    (
                        name.to_string(),
                        values.iter().map(|v| Val::str(v)).collect(),
                    )
                })
                .collect(),
        }
    }

    /// An object that carries only its DN (the capturing account could not read it).
    pub fn dn_only(dn: &str) -> Object {
        Object {
            dn: dn.to_owned(),
            attrs: Vec::new(),
        }
    }
}

/// What follows the property table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tree {
    /// The tree index of every record, as AD Explorer writes it.
    Populated,
    /// The 8-byte "unpopulated" marker of third-party writers.
    Unpopulated,
    /// No tree: the header's offset is 0.
    Absent,
    /// The header's offset points past the end of the file.
    PastEnd,
}

/// A snapshot to write.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// `win-ad-ob\0`, or `win-ad-XX\0` for a capture that never finished.
    pub signature: [u8; 10],
    /// The format marker (`0x00010001`).
    pub marker: u32,
    /// Capture time (FILETIME).
    pub filetime: u64,
    /// The Create Snapshot dialog's description.
    pub description: String,
    /// The domain controller.
    pub server: String,
    /// The property table (the forest schema).
    pub properties: Vec<Property>,
    /// The counted objects.
    pub objects: Vec<Object>,
    /// DNs of tree ancestors written after the counted objects.
    pub tree_only: Vec<String>,
    /// Refer to identical earlier blocks instead of copying them.
    pub dedup: bool,
    /// The tree index.
    pub tree: Tree,
}

/// Where [`Snapshot::write`] put things (absolute file offsets).
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Each counted object's start.
    pub objects: Vec<usize>,
    /// Each counted object's blocks: (attribute, block position), entry 0
    /// being the DN.
    pub blocks: Vec<Vec<(String, usize)>>,
    /// Each tree-only record's start.
    pub tree_only: Vec<usize>,
    /// The 8-byte sentinel.
    pub sentinel: usize,
    /// The property table (its count).
    pub metadata: usize,
    /// Each property record's start.
    pub properties: Vec<usize>,
    /// The tree index (0 when absent).
    pub treeview: usize,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot::new()
    }
}

impl Snapshot {
    /// An empty, finished snapshot with `distinguishedName` and
    /// `objectClass` in its property table, dedup on, a populated tree.
    pub fn new() -> Snapshot {
        Snapshot {
            signature: *b"win-ad-ob\0",
            marker: 0x0001_0001,
            filetime: 0x01DA_0000_0000_0000,
            description: "exconn test".to_owned(),
            server: "dc01.contoso.com".to_owned(),
            properties: ["distinguishedName", "objectClass"]
                .iter()
                .filter_map(|name| Property::known(name))
                .collect(),
            objects: Vec::new(),
            tree_only: Vec::new(),
            dedup: true,
            tree: Tree::Populated,
        }
    }

    /// The index of property `name` (exact spelling), added as
    /// [`Property::known`] or, failing that, as a string if missing.
    pub fn property(&mut self, name: &str) -> usize {
        if let Some(index) = self.properties.iter().position(|p| p.name == name) {
            return index;
        }
        let property = Property::known(name)
            .map(|p| Property::new(name, p.syntax, p.ads_type))
            .unwrap_or_else(|| Property::string(name));
        self.properties.push(property);
        self.properties.len() - 1
    }

    /// Adds `object`, and any property it uses that the table lacks.
    pub fn push(&mut self, object: Object) {
        for (name, _) in &object.attrs {
            self.property(name);
        }
        self.objects.push(object);
    }

    /// Every entry of `records` as an object, with each attribute's
    /// property typed as AD Explorer would type it when every value has
    /// that type's form (`TRUE`, `25`, `20240131120000.0Z`), else as a
    /// string (or octets, for values that are not text). The records'
    /// `distinguishedName` values are the DN (table entry 0).
    pub fn from_records(records: &[Record]) -> Snapshot {
        let mut snapshot = Snapshot::new();
        let entries: Vec<(&str, Grouped<'_>)> = records
            .iter()
            .filter_map(|record| match &record.body {
                Body::Entry { attrs, .. } => Some((record.dn.as_str(), attrs)),
                _ => None,
            })
            .map(|(dn, attrs)| {
                let mut grouped: Grouped<'_> = BTreeMap::new();
                let mut order: Vec<String> = Vec::new();
                for attr in attrs {
                    if attr.name.eq_ignore_ascii_case("distinguishedName") {
                        continue;
                    }
                    let Value::Bytes(bytes) = &attr.value else {
                        continue;
                    };
                    let slot = order
                        .iter()
                        .position(|n| *n == attr.name)
                        .unwrap_or_else(|| {
                            order.push(attr.name.clone());
                            order.len() - 1
                        });
                    grouped
                        .entry(slot)
                        .or_insert_with(|| (attr.name.clone(), Vec::new()))
                        .1
                        .push(bytes);
                }
                (dn, grouped)
            })
            .collect();
        // One type per attribute name, which every value must fit.
        let mut types: HashMap<String, Property> = HashMap::new();
        for (_, grouped) in &entries {
            for (name, values) in grouped.values() {
                let current = types.entry(name.clone()).or_insert_with(|| {
                    Property::known(name)
                        .map(|p| Property::new(name, p.syntax, p.ads_type))
                        .unwrap_or_else(|| Property::string(name))
                });
                if values.iter().any(|v| to_val(current, v).is_none()) {
                    *current = Property::string(name);
                    if values.iter().any(|v| to_val(current, v).is_none()) {
                        *current = Property::octets(name);
                    }
                }
            }
        }
        let mut names: Vec<&String> = types.keys().collect();
        names.sort();
        for name in names {
            snapshot.properties.push(types[name].clone());
        }
        for (dn, grouped) in entries {
            let attrs = grouped
                .into_values()
                .map(|(name, values)| {
                    let property = &types[&name];
                    let values = values
                        .iter()
                        .map(|v| to_val(property, v).expect("typed to fit"))
                        .collect();
                    (name, values)
                })
                .collect();
            snapshot.objects.push(Object {
                dn: dn.to_owned(),
                attrs,
            });
        }
        snapshot
    }

    /// The snapshot's bytes, and where things are.
    pub fn write(&self) -> (Vec<u8>, Layout) {
        let index = |name: &str| {
            self.properties
                .iter()
                .position(|p| p.name == name)
                .unwrap_or_else(|| panic!("property {name} is not in the table"))
        };
        let dn_index = index("distinguishedName");
        let mut out = vec![0u8; HEADER];
        let mut layout = Layout::default();
        let mut cache: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut attributes = 0u32;
        for object in &self.objects {
            let start = out.len();
            layout.objects.push(start);
            let table = 1 + object.attrs.len();
            attributes += object.attrs.len() as u32;
            let mut entries = Vec::with_capacity(table);
            let mut area: Vec<u8> = Vec::new();
            let area_start = start + 8 + 8 * table;
            let dn_block = strings_block(std::slice::from_ref(&object.dn));
            entries.push((dn_index, area_start));
            area.extend(&dn_block);
            let mut blocks = vec![("distinguishedName".to_owned(), area_start)];
            for (name, values) in &object.attrs {
                let property = &self.properties[index(name)];
                let block = encode(property, values);
                let here = area_start + area.len();
                let at = match cache.get(&block) {
                    Some(&cached) if self.dedup && here - cached < DEDUP_WINDOW => cached,
                    _ => {
                        cache.insert(block.clone(), here);
                        area.extend(&block);
                        here
                    }
                };
                entries.push((index(name), at));
                blocks.push((name.clone(), at));
            }
            let size = 8 + 8 * table + area.len();
            out.extend((size as u32).to_le_bytes());
            out.extend((table as u32).to_le_bytes());
            for (property, at) in entries {
                out.extend((property as u32).to_le_bytes());
                out.extend(((at as i64 - start as i64) as i32).to_le_bytes());
            }
            out.extend(area);
            layout.blocks.push(blocks);
        }
        for dn in &self.tree_only {
            let start = out.len();
            layout.tree_only.push(start);
            let block = strings_block(std::slice::from_ref(dn));
            out.extend(((16 + block.len()) as u32).to_le_bytes());
            out.extend(1u32.to_le_bytes());
            out.extend((dn_index as u32).to_le_bytes());
            out.extend(16i32.to_le_bytes());
            out.extend(block);
        }
        layout.sentinel = out.len();
        out.extend([0; 8]);
        layout.metadata = out.len();
        out.extend((self.properties.len() as u32).to_le_bytes());
        for (i, property) in self.properties.iter().enumerate() {
            layout.properties.push(out.len());
            out.extend(lstr(&property.name));
            out.extend(property.syntax.to_le_bytes());
            out.extend(property.ads_type.to_le_bytes());
            out.extend(lstr(&format!(
                "CN={},CN=Schema,CN=Configuration,DC=contoso,DC=com",
                property.name
            )));
            let mut guid = [0u8; 16];
            guid[..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
            out.extend(guid);
            out.extend([0u8; 16]);
            out.extend(0u32.to_le_bytes());
        }
        out.extend(0u32.to_le_bytes()); // classes
        out.extend(0u32.to_le_bytes()); // rights
        while out.len() % 4 != 0 {
            out.push(0);
        }
        let treeview = match self.tree {
            Tree::Populated => {
                let at = out.len();
                let tree = self.tree_index(&layout);
                out.extend(tree);
                at
            }
            Tree::Unpopulated => {
                let at = out.len();
                out.extend(u64::MAX.to_le_bytes());
                at
            }
            Tree::Absent => 0,
            Tree::PastEnd => out.len() + 4096,
        };
        layout.treeview = treeview;
        out[..10].copy_from_slice(&self.signature);
        out[0x0A..0x0E].copy_from_slice(&self.marker.to_le_bytes());
        out[0x0E..0x16].copy_from_slice(&self.filetime.to_le_bytes());
        out[0x16..0x21E].copy_from_slice(&wchar260(&self.description));
        out[0x21E..0x426].copy_from_slice(&wchar260(&self.server));
        out[0x426..0x42A].copy_from_slice(&(self.objects.len() as u32).to_le_bytes());
        out[0x42A..0x42E].copy_from_slice(&attributes.to_le_bytes());
        out[0x42E..0x436].copy_from_slice(&(layout.metadata as u64).to_le_bytes());
        out[0x436..0x43E].copy_from_slice(&(treeview as u64).to_le_bytes());
        (out, layout)
    }

    /// The tree index: a root naming the records whose parent is not a
    /// record, then one node per record with children.
    fn tree_index(&self, layout: &Layout) -> Vec<u8> {
        let records: Vec<(&str, usize)> = self
            .objects
            .iter()
            .map(|o| o.dn.as_str())
            .zip(layout.objects.iter().copied())
            .chain(
                self.tree_only
                    .iter()
                    .map(String::as_str)
                    .zip(layout.tree_only.iter().copied()),
            )
            .collect();
        let position: HashMap<String, usize> = records
            .iter()
            .enumerate()
            .map(|(i, (dn, _))| (dn.to_ascii_lowercase(), i))
            .collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); records.len()];
        let mut roots = Vec::new();
        for (i, (dn, _)) in records.iter().enumerate() {
            match parent(dn).and_then(|p| position.get(&p.to_ascii_lowercase())) {
                Some(&p) if p != i => children[p].push(i),
                _ => roots.push(i),
            }
        }
        fn node(
            offset: u64,
            kids: &[usize],
            children: &[Vec<usize>],
            records: &[(&str, usize)],
            all_nodes: bool,
        ) -> Vec<u8> {
            let (nodes, leaves): (Vec<usize>, Vec<usize>) = kids
                .iter()
                .partition(|&&k| all_nodes || !children[k].is_empty());
            let blobs: Vec<Vec<u8>> = nodes
                .iter()
                .map(|&k| node(records[k].1 as u64, &children[k], children, records, false))
                .collect();
            let mut out = offset.to_le_bytes().to_vec();
            out.extend((nodes.len() as u32).to_le_bytes());
            out.extend((leaves.len() as u32).to_le_bytes());
            let mut relative = 16 + 4 * nodes.len() + 8 * leaves.len();
            for blob in &blobs {
                out.extend((relative as u32).to_le_bytes());
                relative += blob.len();
            }
            for &leaf in &leaves {
                out.extend((records[leaf].1 as u64).to_le_bytes());
            }
            for blob in blobs {
                out.extend(blob);
            }
            out
        }
        node(u64::MAX - 1, &roots, &children, &records, true)
    }
}

/// A record's values, by attribute in order of first appearance: the
/// attribute's name and its values.
type Grouped<'r> = BTreeMap<usize, (String, Vec<&'r [u8]>)>;

/// The parent DN: what follows the first unescaped comma.
fn parent(dn: &str) -> Option<&str> {
    let bytes = dn.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b',' => return Some(&dn[i + 1..]),
            _ => i += 1,
        }
    }
    None
}

/// A value of `property` from its LDAP text, if it has that type's form.
fn to_val(property: &Property, value: &[u8]) -> Option<Val> {
    let text = std::str::from_utf8(value).ok();
    match property.encoding() {
        Encoding::Strings => text.filter(|t| !t.contains('\0')).map(Val::str),
        Encoding::Boolean => match text? {
            "TRUE" => Some(Val::Bool(true)),
            "FALSE" => Some(Val::Bool(false)),
            _ => None,
        },
        Encoding::Integer => {
            let n: i32 = text?.parse().ok()?;
            (n.to_string() == text?).then_some(Val::Int(n))
        }
        Encoding::Large => {
            let n: i64 = text?.parse().ok()?;
            (n.to_string() == text?).then_some(Val::Large(n))
        }
        Encoding::Octets => Some(Val::Octets(value.to_vec())),
        Encoding::Time => {
            let text = text?;
            let digits = text.get(..14)?;
            if text.get(14..)? != ".0Z" || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let field = |range: std::ops::Range<usize>| digits[range].parse::<u16>().ok();
            Some(Val::Time([
                field(0..4)?,
                field(4..6)?,
                0,
                field(6..8)?,
                field(8..10)?,
                field(10..12)?,
                field(12..14)?,
                0,
            ]))
        }
        Encoding::DnBinary => {
            let rest = text?.strip_prefix("B:")?;
            let (digits, rest) = rest.split_once(':')?;
            let (hex, dn) = rest.split_once(':')?;
            if digits.parse::<usize>().ok()? != hex.len() || hex.len() % 2 != 0 {
                return None;
            }
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                .collect::<Option<Vec<u8>>>()?;
            (hex == hex.to_ascii_uppercase()).then(|| Val::DnBinary(bytes, dn.to_owned()))
        }
        Encoding::CountOnly => None,
    }
}

/// The value block of `values` as `property` encodes them.
fn encode(property: &Property, values: &[Val]) -> Vec<u8> {
    if let [Val::Block(block)] = values {
        return block.clone();
    }
    let encoding = property.encoding();
    let wrong = |value: &Val| -> ! {
        panic!(
            "{value:?} is not a value of {} (ADSTYPE {})",
            property.name, property.ads_type
        )
    };
    let mut block = (values.len() as u32).to_le_bytes().to_vec();
    match encoding {
        Encoding::Strings => {
            let texts: Vec<String> = values
                .iter()
                .map(|v| match v {
                    Val::Str(text) => text.clone(),
                    other => wrong(other),
                })
                .collect();
            return strings_block(&texts);
        }
        Encoding::Boolean | Encoding::Integer => {
            for value in values {
                let raw = match (encoding, value) {
                    (Encoding::Boolean, Val::Bool(b)) => u32::from(*b),
                    (Encoding::Integer, Val::Int(n)) => *n as u32,
                    (_, other) => wrong(other),
                };
                block.extend(raw.to_le_bytes());
            }
        }
        Encoding::Large => {
            for value in values {
                let Val::Large(n) = value else { wrong(value) };
                block.extend(n.to_le_bytes());
            }
        }
        Encoding::Time => {
            for value in values {
                let Val::Time(fields) = value else {
                    wrong(value)
                };
                block.extend(fields.iter().flat_map(|f| f.to_le_bytes()));
            }
        }
        Encoding::Octets => {
            let payloads: Vec<&Vec<u8>> = values
                .iter()
                .map(|v| match v {
                    Val::Octets(bytes) => bytes,
                    other => wrong(other),
                })
                .collect();
            for payload in &payloads {
                block.extend((payload.len() as u32).to_le_bytes());
            }
            for payload in payloads {
                block.extend(payload);
            }
        }
        Encoding::DnBinary => {
            let pairs: Vec<(&Vec<u8>, &String)> = values
                .iter()
                .map(|v| match v {
                    Val::DnBinary(bytes, dn) => (bytes, dn),
                    other => wrong(other),
                })
                .collect();
            for (bytes, _) in &pairs {
                block.extend((bytes.len() as u32).to_le_bytes());
            }
            for (bytes, dn) in pairs {
                block.extend(bytes);
                block.extend(utf16z(dn));
            }
        }
        // AD Explorer writes the count only.
        Encoding::CountOnly => {}
    }
    block
}

/// A string block: count, offsets from the block start, the strings.
fn strings_block(values: &[String]) -> Vec<u8> {
    let mut block = (values.len() as u32).to_le_bytes().to_vec();
    let mut offset = 4 + 4 * values.len();
    let mut data = Vec::new();
    for value in values {
        block.extend((offset as i32).to_le_bytes());
        let bytes = utf16z(value);
        offset += bytes.len();
        data.extend(bytes);
    }
    block.extend(data);
    block
}

/// UTF-16LE with a NUL.
pub fn utf16z(text: &str) -> Vec<u8> {
    text.encode_utf16()
        .chain([0])
        .flat_map(u16::to_le_bytes)
        .collect()
}

/// A length-prefixed UTF-16LE string (the length counts the NUL).
fn lstr(text: &str) -> Vec<u8> {
    let bytes = utf16z(text);
    let mut out = (bytes.len() as u32).to_le_bytes().to_vec();
    out.extend(bytes);
    out
}

/// A fixed 520-byte, NUL-padded UTF-16LE field.
fn wchar260(text: &str) -> Vec<u8> {
    let mut field: Vec<u8> = text
        .encode_utf16()
        .take(259)
        .flat_map(u16::to_le_bytes)
        .collect();
    field.resize(520, 0);
    field
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn the_layout_is_the_one_of_the_format() {
        let mut snapshot = Snapshot::new();
        snapshot.tree = Tree::Unpopulated;
        snapshot.push(Object::strings("CN=X", &[("objectClass", &["top"])]));
        let (bytes, layout) = snapshot.write();
        // The spec's minimal file: one object of 58 bytes, the sentinel,
        // the property table at 0x480.
        assert_eq!(&bytes[..10], b"win-ad-ob\0");
        assert_eq!(layout.objects, [HEADER]);
        assert_eq!(u32_at(&bytes, HEADER), 58);
        assert_eq!(layout.sentinel, 0x478);
        assert_eq!(layout.metadata, 0x480);
        assert_eq!(layout.treeview % 4, 0);
        assert_eq!(bytes.len(), layout.treeview + 8);
    }

    #[test]
    fn identical_blocks_are_referred_to() {
        let mut snapshot = Snapshot::new();
        for name in ["A", "B"] {
            snapshot.push(Object::strings(
                &format!("CN={name},DC=x"),
                &[
                    ("objectClass", &["top", "container"]),
                    ("cn", &[name]),
                    ("name", &[name]),
                ],
            ));
        }
        let (_, layout) = snapshot.write();
        let block = |o: usize, a: &str| layout.blocks[o].iter().find(|(n, _)| n == a).unwrap().1;
        assert_eq!(block(1, "objectClass"), block(0, "objectClass"));
        assert!(block(1, "objectClass") < layout.objects[1]);
        assert_eq!(block(0, "cn"), block(0, "name"));
    }

    #[test]
    fn the_tree_covers_every_record() {
        let mut snapshot = Snapshot::new();
        snapshot.tree_only.push("DC=x".to_owned());
        for dn in ["CN=A,DC=x", "CN=B,CN=A,DC=x", "CN=C,CN=A,DC=x"] {
            snapshot.push(Object::strings(dn, &[("objectClass", &["top"])]));
        }
        let (bytes, layout) = snapshot.write();
        let tree = &bytes[layout.treeview..];
        assert_eq!(&tree[..8], &(u64::MAX - 1).to_le_bytes());
        // The root names one node (DC=x), which names one node (CN=A),
        // which has two leaves.
        assert_eq!((u32_at(tree, 8), u32_at(tree, 12)), (1, 0));
    }
}
