//! From the file as written to a checked [`Scenario`]: every name resolves,
//! nothing is defined twice, every value is possible.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::error::{Diagnostics, ScenarioError, Source};
use super::format::{DirectionDef, FaultDef, File, LanesDef, LinkDef, LossDef, SwitchDef};
use super::hosts::{self, Group};
use super::{expect, Scenario};
use crate::link::{DirectionConfig, GilbertElliott, LinkConfig, Loss, Probability};
use crate::sim::{Fault, Lanes};
use crate::switch::SwitchConfig;
use crate::time::SimTime;
use crate::topology::{Topology, TopologyBuilder, TopologyError};
use crate::trace::TraceFilter;

/// What a name in the scenario refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Host,
    Switch,
    Link,
    /// A `count` group of hosts or switches (its members are named
    /// `<group>1`, `<group>2`, ...).
    Group,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Host => "host",
            Kind::Switch => "switch",
            Kind::Link => "link",
            Kind::Group => "group",
        }
    }
}

/// The checker's state: diagnostics so far and the names defined.
pub struct Checker<'a> {
    pub diags: Diagnostics<'a>,
    names: BTreeMap<String, (Kind, Range<usize>)>,
    /// Host and switch groups by name (a single element is a group of one).
    pub groups: BTreeMap<String, Vec<String>>,
    builder: TopologyBuilder,
}

impl<'a> Checker<'a> {
    fn new(source: Source<'a>) -> Self {
        Checker {
            diags: Diagnostics::new(source),
            names: BTreeMap::new(),
            groups: BTreeMap::new(),
            builder: TopologyBuilder::new(),
        }
    }

    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diags.error(span, message);
    }

    /// Claims `name` for an element of `kind` defined at `span`.
    pub fn define(&mut self, name: &str, kind: Kind, span: Range<usize>) -> bool {
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '/') {
            self.error(
                span,
                format!("invalid name {name:?}: expected a non-empty name without spaces or '/'"),
            );
            return false;
        }
        if let Some((other, _)) = self.names.get(name) {
            let other = other.as_str();
            self.error(span, format!("{name:?} is already defined (as a {other})"));
            return false;
        }
        self.names.insert(name.to_owned(), (kind, span));
        true
    }

    /// The kind of element `name` refers to, if any.
    pub fn kind(&self, name: &str) -> Option<Kind> {
        self.names.get(name).map(|(k, _)| *k)
    }

    /// Checks that `name` is an element of one of `kinds`.
    pub fn resolve(&mut self, name: &Spanned<String>, kinds: &[Kind], what: &str) -> bool {
        match self.kind(name.get_ref()) {
            Some(k) if kinds.contains(&k) => true,
            Some(k) => {
                let message = format!("{:?} is a {}, expected {what}", name.get_ref(), k.as_str());
                self.error(name.span(), message);
                false
            }
            None => {
                let message = format!("unknown {what} {:?}", name.get_ref());
                self.error(name.span(), message);
                false
            }
        }
    }

    pub fn builder(&mut self) -> &mut TopologyBuilder {
        &mut self.builder
    }

    /// Adds a link (name already claimed) between two elements.
    pub fn add_link(&mut self, name: &str, a: &str, b: &str, config: LinkConfig) {
        self.builder.link(name, a, b, config);
    }
}

pub fn scenario(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let source = Source { file, text };
    let parsed: File = toml::from_str(text).map_err(|e| syntax_error(&source, &e))?;
    let mut ck = Checker::new(source);
    let switches = switch_groups(&mut ck, &parsed.switches);
    let host_groups = hosts::groups(&mut ck, &parsed.hosts);
    for link in &parsed.links {
        define_link(&mut ck, link);
    }
    attach_all(&mut ck, &switches, Kind::Switch);
    let host_plans = hosts::configs(&mut ck, &parsed.hosts, &host_groups);
    attach_all(&mut ck, &host_groups, Kind::Host);
    for link in &parsed.links {
        connect_link(&mut ck, link);
    }
    let duration = parsed.duration.get_ref().0;
    if duration.is_zero() {
        ck.error(parsed.duration.span(), "the duration must be positive");
    }
    let faults = parsed
        .faults
        .iter()
        .filter_map(|f| fault(&mut ck, f, SimTime::ZERO + duration))
        .collect();
    let (trace, pinned) = trace_filter(&mut ck, &parsed);
    let expectations = expect::expectations(&mut ck, &parsed.expects);
    let topology = if ck.diags.is_empty() {
        build_topology(&mut ck, &parsed)
    } else {
        None
    };
    let name = parsed.name.get_ref().trim().to_owned();
    if name.is_empty() {
        ck.error(parsed.name.span(), "the scenario name must not be empty");
    }
    let scenario = topology.map(|topology| Scenario {
        name,
        description: parsed.description.trim().to_owned(),
        file: file.to_owned(),
        seed: parsed.seed,
        duration,
        trace,
        pinned,
        topology,
        hosts: host_plans,
        faults,
        expectations,
    });
    match ck.diags.finish(scenario)? {
        Some(scenario) => Ok(scenario),
        None => Err(Source { file, text }
            .at(0..0, "the topology could not be built")
            .into()),
    }
}

/// A syntax or type error from the TOML layer, located.
fn syntax_error(source: &Source<'_>, e: &toml::de::Error) -> ScenarioError {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim_end().replace('\n', " ");
    ScenarioError {
        diagnostics: vec![source.at(span, message)],
    }
}

/// `[[switch]]` tables: their members, by group.
fn switch_groups(ck: &mut Checker<'_>, defs: &[Spanned<SwitchDef>]) -> Vec<Group> {
    defs.iter()
        .map(|def| {
            let def = def.get_ref();
            let group = hosts::group_members(ck, &def.name, def.count.as_ref(), Kind::Switch);
            let config = switch_config(def);
            for member in &group.members {
                ck.builder().switch(member, config.clone());
            }
            Group {
                attach: def.attach.clone(),
                uplink: def.uplink.clone(),
                ..group
            }
        })
        .collect()
}

fn switch_config(def: &SwitchDef) -> SwitchConfig {
    let defaults = SwitchConfig::default();
    SwitchConfig {
        table_size: def.table_size.unwrap_or(defaults.table_size),
        ageing: def.ageing.map_or(defaults.ageing, |d| d.0),
    }
}

/// Links the members of each group to the elements they `attach` to,
/// spreading members over the targets in contiguous blocks.
fn attach_all(ck: &mut Checker<'_>, groups: &[Group], own: Kind) {
    for group in groups {
        let Some(attach) = &group.attach else {
            continue;
        };
        let targets = attach.get_ref().0.clone();
        if targets.is_empty() {
            ck.error(attach.span(), "`attach` needs at least one name");
            continue;
        }
        let mut ok = true;
        for target in &targets {
            let spanned = Spanned::new(attach.span(), target.clone());
            let kinds: &[Kind] = if own == Kind::Switch {
                &[Kind::Switch]
            } else {
                &[Kind::Switch, Kind::Host]
            };
            ok &= ck.resolve(&spanned, kinds, "switch or host to attach to");
        }
        if !ok {
            continue;
        }
        let config = group
            .uplink
            .as_ref()
            .map(|d| link_config(ck, d, d))
            .unwrap_or_default();
        let count = group.members.len();
        for (i, member) in group.members.iter().enumerate() {
            let target = &targets[i * targets.len() / count];
            let name = format!("{member}-{target}");
            if ck.define(&name, Kind::Link, attach.span()) {
                ck.add_link(&name, member, target, config.clone());
            }
        }
    }
}

fn define_link(ck: &mut Checker<'_>, def: &Spanned<LinkDef>) {
    let link = def.get_ref();
    ck.define(link.name.get_ref(), Kind::Link, link.name.span());
}

fn connect_link(ck: &mut Checker<'_>, def: &Spanned<LinkDef>) {
    let link = def.get_ref();
    let ends = [Kind::Host, Kind::Switch];
    let a_ok = ck.resolve(&link.a, &ends, "host or switch");
    let b_ok = ck.resolve(&link.b, &ends, "host or switch");
    let both = link.both();
    let a_to_b = both.overlaid(link.a_to_b.as_ref().unwrap_or(&DirectionDef::default()));
    let b_to_a = both.overlaid(link.b_to_a.as_ref().unwrap_or(&DirectionDef::default()));
    let config = link_config(ck, &a_to_b, &b_to_a);
    if a_ok && b_ok {
        ck.add_link(
            link.name.get_ref(),
            link.a.get_ref(),
            link.b.get_ref(),
            config,
        );
    }
}

fn link_config(ck: &mut Checker<'_>, a_to_b: &DirectionDef, b_to_a: &DirectionDef) -> LinkConfig {
    LinkConfig {
        a_to_b: direction(ck, a_to_b),
        b_to_a: direction(ck, b_to_a),
    }
}

/// One direction's configuration: defaults where nothing was written.
pub fn direction(ck: &mut Checker<'_>, def: &DirectionDef) -> DirectionConfig {
    let d = DirectionConfig::default();
    let probability = |v: &Option<Spanned<super::Percent>>, default: Probability| {
        v.as_ref().map_or(default, |s| s.get_ref().0)
    };
    let mtu = def.mtu.as_ref().map_or(d.mtu, |m| {
        let bytes = m.get_ref().0;
        if !(68..=65_000).contains(&bytes) {
            ck.error(
                m.span(),
                format!("MTU of {bytes} bytes is impossible: expected 68 to 65000"),
            );
        }
        usize::try_from(bytes).unwrap_or(d.mtu)
    });
    let queue = def.queue.as_ref().map_or(d.queue_bytes, |q| {
        usize::try_from(q.get_ref().0).unwrap_or(usize::MAX)
    });
    let loss = def.loss.as_ref().map_or(d.loss, |l| loss(ck, l));
    DirectionConfig {
        latency: value(&def.latency).map_or(d.latency, |v| v.0),
        jitter: value(&def.jitter).map_or(d.jitter, |v| v.0),
        bandwidth_bps: value(&def.bandwidth).map(|b| b.0),
        queue_bytes: queue,
        loss,
        duplicate: probability(&def.duplicate, d.duplicate),
        reorder: probability(&def.reorder, d.reorder),
        reorder_delay: value(&def.reorder_delay).map_or(d.reorder_delay, |v| v.0),
        corrupt: probability(&def.corrupt, d.corrupt),
        mtu,
    }
}

fn value<T: Copy>(v: &Option<Spanned<T>>) -> Option<T> {
    v.as_ref().map(|s| *s.get_ref())
}

/// A loss model from `"1%"` or one of the two table forms.
fn loss(ck: &mut Checker<'_>, def: &Spanned<LossDef>) -> Loss {
    let table = match def.get_ref() {
        LossDef::Bernoulli(p) if p.0.is_zero() => return Loss::None,
        LossDef::Bernoulli(p) => return Loss::Bernoulli { p: p.0 },
        LossDef::Bursty(t) => t,
    };
    let params = [table.to_bad, table.to_good, table.loss_good, table.loss_bad];
    match (table.rate, table.burst) {
        (Some(rate), Some(burst)) if params.iter().all(Option::is_none) => {
            let model = GilbertElliott::from_rate_and_burst(rate.0.get(), burst);
            model.map(Loss::GilbertElliott).unwrap_or_else(|| {
                ck.error(
                    def.span(),
                    "impossible bursty loss: expected a rate below 100% and a burst of at least 1 frame, with rate/(1-rate) <= burst",
                );
                Loss::None
            })
        }
        (None, None) => match params {
            [Some(to_bad), Some(to_good), loss_good, loss_bad] => {
                Loss::GilbertElliott(GilbertElliott {
                    to_bad: to_bad.0,
                    to_good: to_good.0,
                    loss_good: loss_good.map_or(Probability::ZERO, |p| p.0),
                    loss_bad: loss_bad.map_or(Probability::ONE, |p| p.0),
                })
            }
            _ => {
                ck.error(def.span(), "a Gilbert-Elliott loss table needs `to_bad` and `to_good` (and optionally `loss_good`, `loss_bad`)");
                Loss::None
            }
        },
        _ => {
            ck.error(
                def.span(),
                "a bursty loss table needs both `rate` and `burst`, or the Gilbert-Elliott parameters `to_bad` and `to_good` (not both forms)",
            );
            Loss::None
        }
    }
}

fn lanes(def: Option<LanesDef>) -> Lanes {
    match def {
        None | Some(LanesDef::Both) => Lanes::Both,
        Some(LanesDef::AToB) => Lanes::AToB,
        Some(LanesDef::BToA) => Lanes::BToA,
    }
}

/// A `[[fault]]`: exactly one action, on names that exist, within the run.
fn fault(ck: &mut Checker<'_>, def: &Spanned<FaultDef>, end: SimTime) -> Option<(SimTime, Fault)> {
    let span = def.span();
    let f = def.get_ref();
    let at = SimTime::ZERO + f.at.0;
    if at > end {
        ck.error(
            span.clone(),
            format!(
                "fault at {} is after the end of the run ({})",
                f.at,
                super::Duration(end - SimTime::ZERO)
            ),
        );
    }
    let mut actions = Vec::new();
    let link = |ck: &mut Checker<'_>, name: &Spanned<String>| {
        ck.resolve(name, &[Kind::Link], "link")
            .then(|| name.get_ref().clone())
    };
    let host = |ck: &mut Checker<'_>, name: &Spanned<String>| {
        ck.resolve(name, &[Kind::Host], "host")
            .then(|| name.get_ref().clone())
    };
    if let Some(l) = &f.link_down {
        actions.push(link(ck, l).map(Fault::LinkDown));
    }
    if let Some(l) = &f.link_up {
        actions.push(link(ck, l).map(Fault::LinkUp));
    }
    if let Some(ls) = &f.partition {
        let resolved: Vec<_> = ls.iter().map(|l| link(ck, l)).collect();
        actions.push(
            resolved
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .map(Fault::Partition),
        );
    }
    if let Some(h) = &f.heal {
        if !h.get_ref() {
            ck.error(h.span(), "`heal` can only be true");
        }
        actions.push(Some(Fault::Heal));
    }
    if let Some(h) = &f.crash {
        actions.push(host(ck, h).map(Fault::Crash));
    }
    if let Some(h) = &f.restart {
        actions.push(host(ck, h).map(Fault::Restart));
    }
    if let Some(s) = &f.set_loss {
        let model = loss(ck, &s.loss);
        actions.push(link(ck, &s.link).map(|link| Fault::SetLoss {
            link,
            lanes: lanes(s.direction),
            loss: model,
        }));
    }
    if let Some(c) = &f.configure {
        let config = direction(ck, &c.settings());
        actions.push(link(ck, &c.link).map(|link| Fault::Configure {
            link,
            lanes: lanes(c.direction),
            config,
        }));
    }
    if actions.len() != 1 {
        ck.error(
            span,
            "expected exactly one action in a fault: link_down, link_up, partition, heal, crash, restart, set_loss or configure",
        );
        return None;
    }
    actions.pop().flatten().map(|fault| (at, fault))
}

/// The trace filter, and the elements it names.
fn trace_filter(ck: &mut Checker<'_>, file: &File) -> (TraceFilter, Vec<String>) {
    let mut elements = Vec::new();
    for element in &file.trace.elements {
        let name = element.get_ref();
        let base = name.split('/').next().unwrap_or(name);
        if let Some(members) = ck.groups.get(base).filter(|_| !name.contains('/')) {
            elements.extend(members.iter().cloned());
        } else if ck.kind(base).is_some() {
            elements.push(name.clone());
        } else {
            ck.error(
                element.span(),
                format!("unknown element {name:?} in the trace filter"),
            );
        }
    }
    let filter = TraceFilter::all()
        .elements(elements.iter().cloned())
        .kinds(file.trace.kinds.iter().cloned());
    (filter, elements)
}

/// Builds the petgraph topology; what only the graph can see (loops, hosts
/// without exactly one link) is reported at the element's definition.
fn build_topology(ck: &mut Checker<'_>, file: &File) -> Option<Topology> {
    match ck.builder.build() {
        Ok(t) => Some(t),
        Err(e) => {
            let name = match &e {
                TopologyError::InvalidName(n) | TopologyError::DuplicateName(n) => n.clone(),
                TopologyError::UnknownEndpoint { link, .. }
                | TopologyError::SelfLoop { link }
                | TopologyError::Loop { link } => link.clone(),
                TopologyError::HostLinks { host, .. } | TopologyError::GroupMac { host } => {
                    host.clone()
                }
                TopologyError::DuplicateMac { second, .. } => second.clone(),
            };
            let span = ck
                .names
                .get(&name)
                .map(|(_, s)| s.clone())
                .unwrap_or_else(|| file.name.span());
            let hint = match e {
                TopologyError::HostLinks { links: 0, .. } => {
                    " (give it `attach = \"<switch>\"` or a [[link]])"
                }
                _ => "",
            };
            ck.error(span, format!("{e}{hint}"));
            None
        }
    }
}
