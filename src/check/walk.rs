//! Visits the stages and expressions of a syntax tree, and compares
//! expressions by shape, for the static rules.

use sumoql_syntax::ast::{Expr, Query, Spanned, Stage};

/// Calls `visit` with every stage of the query, the stages of each `union`
/// branch right after the `union` stage itself.
pub fn for_each_stage<'q>(query: &'q Query, visit: &mut dyn FnMut(&'q Spanned<Stage>)) {
    for stage in &query.stages {
        visit(stage);
        if let Stage::Union(branch) = &stage.node {
            for_each_stage(&branch.node, visit);
        }
    }
}

/// Returns the expressions a stage evaluates, without descending into them.
/// Stages that sumoql parses but does not run are not analysed, so they
/// return none.
pub fn stage_expressions(stage: &Stage) -> Vec<&Spanned<Expr>> {
    match stage {
        Stage::Where(condition) => vec![condition],
        Stage::Assign { value, .. } => vec![value],
        Stage::Sort(keys) => keys.iter().map(|key| &key.node.key).collect(),
        Stage::Aggregate { functions, by } => functions
            .iter()
            .flat_map(|call| call.node.arguments.iter())
            .chain(by.iter())
            .collect(),
        _ => Vec::new(),
    }
}

/// Returns the direct operands of an expression.
pub fn children(expr: &Expr) -> Vec<&Spanned<Expr>> {
    match expr {
        Expr::Field(_)
        | Expr::String(_)
        | Expr::Number(_)
        | Expr::Boolean(_)
        | Expr::Regex(_)
        | Expr::Quantity(_)
        | Expr::Subquery(_) => Vec::new(),
        Expr::Not(inner) | Expr::Negate(inner) => vec![inner],
        Expr::Binary { left, right, .. } => vec![left, right],
        Expr::Matches { value, pattern } => vec![value, pattern],
        Expr::In { value, list, .. } => std::iter::once(&**value).chain(list.iter()).collect(),
        Expr::Call { arguments, .. } => arguments.iter().collect(),
        Expr::Conditional {
            condition,
            then,
            otherwise,
        } => vec![condition, then, otherwise],
    }
}

/// Calls `visit` with an expression and every expression inside it, parents first.
pub fn walk<'e>(expr: &'e Spanned<Expr>, visit: &mut dyn FnMut(&'e Spanned<Expr>)) {
    visit(expr);
    for child in children(&expr.node) {
        walk(child, visit);
    }
}

/// Returns a text that two expressions share exactly when they have the
/// same shape: spans are ignored and field names compared without case,
/// because Sumo field names are case-insensitive.
pub fn shape(expr: &Expr) -> String {
    match expr {
        Expr::Field(name) => format!("field:{}", name.to_ascii_lowercase()),
        Expr::String(text) => format!("string:{text:?}"),
        Expr::Number(number) => format!("number:{number}"),
        Expr::Boolean(flag) => format!("boolean:{flag}"),
        Expr::Regex(text) => format!("regex:{text:?}"),
        Expr::Not(inner) => format!("not({})", shape(&inner.node)),
        Expr::Negate(inner) => format!("negate({})", shape(&inner.node)),
        Expr::Binary {
            operator,
            left,
            right,
        } => {
            format!(
                "{operator:?}({}, {})",
                shape(&left.node),
                shape(&right.node)
            )
        }
        Expr::Matches { value, pattern } => {
            format!("matches({}, {})", shape(&value.node), shape(&pattern.node))
        }
        Expr::In {
            value,
            list,
            negated,
        } => {
            let items: Vec<String> = list.iter().map(|item| shape(&item.node)).collect();
            format!(
                "in[{negated}]({}; {})",
                shape(&value.node),
                items.join(", ")
            )
        }
        Expr::Call { name, arguments } => {
            let arguments: Vec<String> = arguments
                .iter()
                .map(|argument| shape(&argument.node))
                .collect();
            format!(
                "call:{}({})",
                name.to_ascii_lowercase(),
                arguments.join(", ")
            )
        }
        Expr::Conditional {
            condition,
            then,
            otherwise,
        } => format!(
            "if({}, {}, {})",
            shape(&condition.node),
            shape(&then.node),
            shape(&otherwise.node)
        ),
        // `Debug` of the syntax tree leaves spans out.
        Expr::Quantity(quantity) => format!("quantity:{quantity:?}"),
        Expr::Subquery(subquery) => format!("subquery:{subquery:?}"),
    }
}

/// Returns the field an expression reads, when it is a bare field reference.
pub fn field_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Field(name) => Some(name),
        _ => None,
    }
}

/// Returns whether an expression is a constant: a string, number or boolean literal.
pub fn is_constant(expr: &Expr) -> bool {
    matches!(expr, Expr::String(_) | Expr::Number(_) | Expr::Boolean(_))
}

/// Writes a string literal that decodes to `text`, escaping `\` and `"`.
pub fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

/// Returns the 1-based line of a byte offset.
pub fn line_of(source: &str, offset: usize) -> usize {
    sumoql_syntax::line_column(source, offset).0
}
