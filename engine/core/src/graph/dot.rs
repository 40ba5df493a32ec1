//! The graph in Graphviz DOT, for drawing it (`pathwise graph dot`).

use super::SkillGraph;

impl SkillGraph {
    /// The graph in Graphviz DOT: one box per skill labelled with its name (id and standard in the
    /// tooltip), one arrow per prerequisite edge, prerequisites above the skills that need them.
    pub fn to_dot(&self) -> String {
        let mut out =
            String::from("digraph skills {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n");
        for skill in self.skills() {
            let mut tooltip = skill.id.clone();
            if let Some(standard) = &skill.standard {
                tooltip.push_str(" · ");
                tooltip.push_str(standard);
            }
            out.push_str(&format!(
                "  {} [label={}, tooltip={}];\n",
                quote(&skill.id),
                quote(&skill.name),
                quote(&tooltip)
            ));
        }
        for (p, s) in self.edges() {
            out.push_str(&format!(
                "  {} -> {};\n",
                quote(&self.skill(p).id),
                quote(&self.skill(s).id)
            ));
        }
        out.push_str("}\n");
        out
    }
}

/// A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n`.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;
    use crate::{BuildOptions, SkillGraphBuilder, SkillSpec};

    #[test]
    fn dot_strings_are_escaped() {
        assert_eq!(quote(r#"say "hi" \ now"#), r#""say \"hi\" \\ now""#);
        assert_eq!(quote("two\nlines"), r#""two\nlines""#);
    }

    #[test]
    fn dot_has_one_node_per_skill_and_one_arrow_per_edge_with_quotes_escaped() {
        let mut b = SkillGraphBuilder::new("g.toml");
        b.add_skill(SkillSpec::new("count").name("Count \"to\" 10\\"));
        b.add_skill(SkillSpec::new("add").name("Add").requires(["count"]));
        let dot = b.build(&BuildOptions::default()).unwrap().graph.to_dot();
        assert!(dot.starts_with("digraph skills {\n"), "{dot}");
        assert!(
            dot.contains(r#""count" [label="Count \"to\" 10\\", tooltip="count"];"#),
            "{dot}"
        );
        assert!(dot.contains("  \"count\" -> \"add\";\n"), "{dot}");
        assert!(dot.ends_with("}\n"));
    }
}
