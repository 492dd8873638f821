//! Helpers shared by the integration tests: parsing with readable failures,
//! compact s-expression views of the tree, and a span checker.

#![allow(dead_code)]

use sumoql_syntax::ast::{BinaryOperator, Expr, Query, Scope, Span, Spanned, Stage, Subquery};
use sumoql_syntax::{parse_query, Diagnostic};

/// Parses `text` and panics with the rendered diagnostics if it fails.
pub fn parse_ok(text: &str) -> Query {
    match parse_query(text) {
        Ok(query) => query,
        Err(diagnostics) => panic!(
            "{text:?} failed to parse:\n{}",
            render_all(text, &diagnostics)
        ),
    }
}

/// Parses `text` and returns its diagnostics, panicking if it parses.
pub fn parse_err(text: &str) -> Vec<Diagnostic> {
    match parse_query(text) {
        Ok(query) => panic!("{text:?} parsed but should fail:\n{query:#?}"),
        Err(diagnostics) => diagnostics,
    }
}

/// Renders every diagnostic without color, as the snapshots store them.
pub fn render_all(text: &str, diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic.render("query.sumo", text, false))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses `* | <stage>` and returns the single stage.
pub fn single_stage(stage: &str) -> Stage {
    let text = format!("* | {stage}");
    let mut query = parse_ok(&text);
    assert_eq!(query.stages.len(), 1, "{text:?} should have one stage");
    query.stages.remove(0).node
}

/// Parses `* | where <condition>` and returns the condition as an s-expression.
pub fn where_sexpr(condition: &str) -> String {
    match single_stage(&format!("where {condition}")) {
        Stage::Where(expression) => expr_sexpr(&expression),
        other => panic!("expected a where stage, got {other:?}"),
    }
}

/// Parses a scope and returns it as an s-expression.
pub fn scope_sexpr(text: &str) -> String {
    let query = parse_ok(text);
    let scope = query
        .scope
        .unwrap_or_else(|| panic!("{text:?} has no scope"));
    scope_to_sexpr(&scope)
}

fn operator_symbol(operator: BinaryOperator) -> &'static str {
    match operator {
        BinaryOperator::And => "and",
        BinaryOperator::Or => "or",
        BinaryOperator::Equal => "=",
        BinaryOperator::NotEqual => "!=",
        BinaryOperator::Less => "<",
        BinaryOperator::LessOrEqual => "<=",
        BinaryOperator::Greater => ">",
        BinaryOperator::GreaterOrEqual => ">=",
        BinaryOperator::Add => "+",
        BinaryOperator::Subtract => "-",
        BinaryOperator::Multiply => "*",
        BinaryOperator::Divide => "/",
        BinaryOperator::Remainder => "%",
    }
}

/// Formats an expression as a compact s-expression, such as
/// `(and (= a 1) (matches b "x*"))`.
pub fn expr_sexpr(expression: &Spanned<Expr>) -> String {
    let list = |items: &[Spanned<Expr>]| items.iter().map(expr_sexpr).collect::<Vec<_>>().join(" ");
    match &expression.node {
        Expr::Field(name) => name.clone(),
        Expr::String(text) => format!("{text:?}"),
        Expr::Number(number) => number.to_string(),
        Expr::Boolean(value) => value.to_string(),
        Expr::Regex(text) => format!("/{text}/"),
        Expr::Not(operand) => format!("(not {})", expr_sexpr(operand)),
        Expr::Negate(operand) => format!("(neg {})", expr_sexpr(operand)),
        Expr::Binary {
            operator,
            left,
            right,
        } => format!(
            "({} {} {})",
            operator_symbol(*operator),
            expr_sexpr(left),
            expr_sexpr(right)
        ),
        Expr::Matches { value, pattern } => {
            format!("(matches {} {})", expr_sexpr(value), expr_sexpr(pattern))
        }
        Expr::In {
            value,
            list: items,
            negated,
        } => {
            let operator = if *negated { "not-in" } else { "in" };
            format!("({operator} {} [{}])", expr_sexpr(value), list(items))
        }
        Expr::Call { name, arguments } => {
            format!("({name} {})", list(arguments)).replace(" )", ")")
        }
        Expr::Conditional {
            condition,
            then,
            otherwise,
        } => format!(
            "(? {} {} {})",
            expr_sexpr(condition),
            expr_sexpr(then),
            expr_sexpr(otherwise)
        ),
        Expr::Quantity(quantity) => format!("{}{}", quantity.amount, quantity.unit.suffix()),
        Expr::Subquery(subquery) => format!("(subquery {:?})", subquery.query),
    }
}

/// Formats a scope as a compact s-expression, such as `(or a (and b "c d"))`.
pub fn scope_to_sexpr(scope: &Spanned<Scope>) -> String {
    match &scope.node {
        Scope::All => "*".to_string(),
        Scope::Keyword { text, quoted: true } => format!("{text:?}"),
        Scope::Keyword {
            text,
            quoted: false,
        } => text.clone(),
        Scope::Term {
            field,
            negated,
            value,
            quoted,
        } => {
            let operator = if *negated { "!=" } else { "=" };
            let value = if *quoted {
                format!("{value:?}")
            } else {
                value.clone()
            };
            format!("{field}{operator}{value}")
        }
        Scope::And(left, right) => {
            format!("(and {} {})", scope_to_sexpr(left), scope_to_sexpr(right))
        }
        Scope::Or(left, right) => {
            format!("(or {} {})", scope_to_sexpr(left), scope_to_sexpr(right))
        }
        Scope::Not(operand) => format!("(not {})", scope_to_sexpr(operand)),
        Scope::Compare {
            field,
            operator,
            value,
            quoted,
        } => {
            let value = if *quoted {
                format!("{value:?}")
            } else {
                value.clone()
            };
            format!("{field}{}{value}", operator_symbol(*operator))
        }
        Scope::Subquery(subquery) => format!("(subquery {:?})", subquery.node.query),
    }
}

/// Checks every span in the query: inside the text, not empty, no
/// surrounding whitespace, and inside the span of its parent node.
pub fn check_spans(text: &str, query: &Query) {
    let whole = 0..text.len();
    if let Some(scope) = &query.scope {
        check_scope_spans(text, scope, &whole);
    }
    for stage in &query.stages {
        check_stage_spans(text, stage, &whole);
    }
}

fn check_span(text: &str, span: &Span, parent: &Span) {
    assert!(span.start < span.end, "empty span {span:?}");
    assert!(span.end <= text.len(), "span {span:?} past the end");
    assert!(
        parent.start <= span.start && span.end <= parent.end,
        "span {span:?} outside its parent {parent:?}"
    );
    let slice = &text[span.clone()];
    assert_eq!(
        slice,
        slice.trim(),
        "span {span:?} has surrounding whitespace: {slice:?}"
    );
}

fn check_scope_spans(text: &str, scope: &Spanned<Scope>, parent: &Span) {
    check_span(text, &scope.span, parent);
    match &scope.node {
        Scope::And(left, right) | Scope::Or(left, right) => {
            check_scope_spans(text, left, &scope.span);
            check_scope_spans(text, right, &scope.span);
        }
        Scope::Not(operand) => check_scope_spans(text, operand, &scope.span),
        Scope::Subquery(subquery) => check_subquery_spans(text, &subquery.node, &subquery.span),
        Scope::All | Scope::Keyword { .. } | Scope::Term { .. } | Scope::Compare { .. } => {}
    }
}

fn check_expr_spans(text: &str, expression: &Spanned<Expr>, parent: &Span) {
    check_span(text, &expression.span, parent);
    let span = &expression.span;
    match &expression.node {
        Expr::Not(operand) | Expr::Negate(operand) => check_expr_spans(text, operand, span),
        Expr::Binary { left, right, .. } => {
            check_expr_spans(text, left, span);
            check_expr_spans(text, right, span);
        }
        Expr::Matches { value, pattern } => {
            check_expr_spans(text, value, span);
            check_expr_spans(text, pattern, span);
        }
        Expr::In { value, list, .. } => {
            check_expr_spans(text, value, span);
            list.iter()
                .for_each(|item| check_expr_spans(text, item, span));
        }
        Expr::Call { arguments, .. } => arguments
            .iter()
            .for_each(|item| check_expr_spans(text, item, span)),
        Expr::Conditional {
            condition,
            then,
            otherwise,
        } => {
            check_expr_spans(text, condition, span);
            check_expr_spans(text, then, span);
            check_expr_spans(text, otherwise, span);
        }
        Expr::Subquery(subquery) => check_subquery_spans(text, subquery, span),
        Expr::Field(_)
        | Expr::String(_)
        | Expr::Number(_)
        | Expr::Boolean(_)
        | Expr::Regex(_)
        | Expr::Quantity(_) => {}
    }
}

fn check_subquery_spans(text: &str, subquery: &Subquery, parent: &Span) {
    for bound in subquery.from.iter().chain(subquery.to.iter()) {
        check_expr_spans(text, bound, parent);
    }
    check_query_spans(text, &subquery.query, parent);
}

/// Checks a nested query whose span may be empty when the query is.
fn check_query_spans(text: &str, query: &Spanned<Query>, parent: &Span) {
    if query.node.scope.is_none() && query.node.stages.is_empty() {
        return;
    }
    check_span(text, &query.span, parent);
    if let Some(scope) = &query.node.scope {
        check_scope_spans(text, scope, &query.span);
    }
    for inner in &query.node.stages {
        check_stage_spans(text, inner, &query.span);
    }
}

fn check_stage_spans(text: &str, stage: &Spanned<Stage>, parent: &Span) {
    check_span(text, &stage.span, parent);
    let span = &stage.span;
    match &stage.node {
        Stage::Where(condition) => check_expr_spans(text, condition, span),
        Stage::Parse {
            field,
            pattern,
            names,
            ..
        } => {
            field
                .iter()
                .for_each(|field| check_span(text, &field.span, span));
            check_span(text, &pattern.span, span);
            names
                .iter()
                .for_each(|name| check_span(text, &name.span, span));
        }
        Stage::ParseRegex { field, regex, .. } => {
            field
                .iter()
                .for_each(|field| check_span(text, &field.span, span));
            check_span(text, &regex.span, span);
        }
        Stage::Assign { value, name } => {
            check_expr_spans(text, value, span);
            check_span(text, &name.span, span);
        }
        Stage::Fields { items, .. } => items
            .iter()
            .for_each(|item| check_span(text, &item.span, span)),
        Stage::Union(subquery) => {
            check_span(text, &subquery.span, span);
            if let Some(scope) = &subquery.node.scope {
                check_scope_spans(text, scope, &subquery.span);
            }
            for inner in &subquery.node.stages {
                check_stage_spans(text, inner, &subquery.span);
            }
        }
        Stage::Sort(keys) => {
            for key in keys {
                check_span(text, &key.span, span);
                check_expr_spans(text, &key.node.key, &key.span);
            }
        }
        Stage::Aggregate { functions, by } => {
            for call in functions {
                check_span(text, &call.span, span);
                call.node
                    .arguments
                    .iter()
                    .for_each(|argument| check_expr_spans(text, argument, &call.span));
                call.node
                    .alias
                    .iter()
                    .for_each(|alias| check_span(text, &alias.span, &call.span));
            }
            by.iter()
                .for_each(|item| check_expr_spans(text, item, span));
        }
        Stage::Limit(_) => {}
        other => check_new_stage_spans(text, other, span),
    }
}

/// Checks the spans of the stages that are parsed but not yet run.
fn check_new_stage_spans(text: &str, stage: &Stage, span: &Span) {
    let names = |names: &[Spanned<String>]| {
        names
            .iter()
            .for_each(|name| check_span(text, &name.span, span))
    };
    let exprs = |items: &[Spanned<Expr>]| {
        items
            .iter()
            .for_each(|item| check_expr_spans(text, item, span))
    };
    match stage {
        Stage::ParseMulti {
            field, patterns, ..
        } => {
            field
                .iter()
                .for_each(|field| check_span(text, &field.span, span));
            for capture in patterns {
                check_span(text, &capture.span, span);
                check_span(text, &capture.node.pattern.span, &capture.span);
                names(&capture.node.names);
            }
        }
        Stage::Sessionize(patterns) => {
            for capture in patterns {
                check_span(text, &capture.span, span);
                names(&capture.node.names);
            }
        }
        Stage::Json(json) => {
            json.field
                .iter()
                .for_each(|field| check_span(text, &field.span, span));
            names(&json.keys);
            names(&json.names);
        }
        Stage::KeyValue(keyvalue) => {
            names(&keyvalue.keys);
            names(&keyvalue.names);
        }
        Stage::Csv(delimited) | Stage::Split(delimited) => {
            check_span(text, &delimited.field.span, span);
            delimited
                .columns
                .iter()
                .for_each(|column| check_span(text, &column.span, span));
        }
        Stage::ParseXml {
            paths,
            names: aliases,
            ..
        } => {
            names(paths);
            names(aliases);
        }
        Stage::Transpose { rows, columns, .. } => {
            names(rows);
            names(columns);
        }
        Stage::Lookup(lookup) => {
            check_span(text, &lookup.table.span, span);
            lookup
                .columns
                .iter()
                .for_each(|column| check_span(text, &column.span, span));
            lookup
                .on
                .iter()
                .for_each(|key| check_span(text, &key.span, span));
        }
        Stage::Top { fields, by, .. } => {
            exprs(fields);
            by.iter().for_each(|key| check_span(text, &key.span, span));
        }
        Stage::TopK { fields, by, .. } => {
            exprs(fields);
            exprs(by);
        }
        Stage::CountFrequent(fields) => exprs(fields),
        Stage::Series { field, by, .. } => {
            check_expr_spans(text, field, span);
            exprs(by);
        }
        Stage::Dedup { by, .. } => exprs(by),
        Stage::Outlier { field, by, options } => {
            check_expr_spans(text, field, span);
            exprs(by);
            options
                .iter()
                .for_each(|option| check_span(text, &option.span, span));
        }
        Stage::Join { tables, on, .. } => {
            for table in tables {
                check_span(text, &table.span, span);
                check_query_spans(text, &table.node.query, &table.span);
            }
            check_expr_spans(text, on, span);
        }
        Stage::Transactionize {
            fields, subquery, ..
        } => {
            names(fields);
            if let Some(query) = subquery {
                check_query_spans(text, query, span);
            }
        }
        Stage::Filter { field, query } => {
            check_span(text, &field.span, span);
            check_query_spans(text, query, span);
        }
        Stage::Evaluate(call) => check_expr_spans(text, call, span),
        _ => {}
    }
}
