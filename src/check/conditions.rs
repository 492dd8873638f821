//! Rules about conditions: ones no row can satisfy (SQ008) and terms
//! repeated in one `or` or `and` chain (SQ009).

use sumoql_engine::collect_chain;
use sumoql_syntax::ast::{BinaryOperator, Expr, Query, Spanned};
use sumoql_syntax::Diagnostic;

use super::rules::Rule;
use super::walk::{children, for_each_stage, is_constant, line_of, shape, stage_expressions};

pub fn check(query: &Query, source: &str) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for_each_stage(query, &mut |stage| {
        for expr in stage_expressions(&stage.node) {
            visit(expr, None, source, &mut findings);
        }
    });
    findings
}

/// Checks every `and`/`or` chain once, at its top, and every comparison.
/// `chain` is the operator of the chain `expr` is an operand of.
fn visit(
    expr: &Spanned<Expr>,
    chain: Option<BinaryOperator>,
    source: &str,
    findings: &mut Vec<Diagnostic>,
) {
    if let Expr::Binary {
        operator: operator @ (BinaryOperator::And | BinaryOperator::Or),
        left,
        right,
    } = &expr.node
    {
        if chain != Some(*operator) {
            let mut terms = Vec::new();
            collect_chain(expr, *operator, &mut terms);
            duplicate_terms(&terms, *operator, source, findings);
            if *operator == BinaryOperator::And {
                contradictions(&terms, source, findings);
            }
        }
        visit(left, Some(*operator), source, findings);
        visit(right, Some(*operator), source, findings);
        return;
    }

    if let Some(finding) = folded_case_mismatch(expr) {
        findings.push(finding);
    }
    for child in children(&expr.node) {
        visit(child, None, source, findings);
    }
}

fn operator_word(operator: BinaryOperator) -> &'static str {
    if operator == BinaryOperator::And {
        "and"
    } else {
        "or"
    }
}

// --- SQ009 ---------------------------------------------------------------

fn duplicate_terms(
    terms: &[&Spanned<Expr>],
    operator: BinaryOperator,
    source: &str,
    findings: &mut Vec<Diagnostic>,
) {
    let shapes: Vec<String> = terms.iter().map(|term| shape(&term.node)).collect();
    for (index, term) in terms.iter().enumerate() {
        let Some(first) = shapes[..index]
            .iter()
            .position(|known| *known == shapes[index])
        else {
            continue;
        };
        let word = operator_word(operator);
        let first_line = line_of(source, terms[first].span.start);
        let first_text = source.get(terms[first].span.clone()).unwrap_or_default();
        findings.push(
            Rule::DuplicateTerm
                .finding(
                    format!("the same term appears twice in this `{word}` chain"),
                    term.span.clone(),
                    format!("repeats `{first_text}` from line {first_line}"),
                )
                .with_note("a repeated term changes nothing; it is often a copy whose value was meant to be edited")
                .with_help("change the value to the one that was meant, or remove the term"),
        );
    }
}

// --- SQ008 ---------------------------------------------------------------

/// A term of an `and` chain that pins an expression: `x = c`, `x != c` or `isNull(x)`.
enum Constraint<'e> {
    Equal(&'e Spanned<Expr>, &'e Expr),
    NotEqual(&'e Spanned<Expr>, &'e Expr),
    Null(&'e Spanned<Expr>),
    /// A comparison, `matches` or `in` that is false when the subject is null.
    NeedsValue(&'e Spanned<Expr>),
}

impl<'e> Constraint<'e> {
    fn of(term: &'e Spanned<Expr>) -> Option<Constraint<'e>> {
        match &term.node {
            Expr::Binary {
                operator,
                left,
                right,
            } => {
                let (subject, constant) = match (is_constant(&left.node), is_constant(&right.node))
                {
                    (false, true) => (&**left, &right.node),
                    (true, false) => (&**right, &left.node),
                    _ => return None,
                };
                match operator {
                    BinaryOperator::Equal => Some(Constraint::Equal(subject, constant)),
                    BinaryOperator::NotEqual => Some(Constraint::NotEqual(subject, constant)),
                    BinaryOperator::Less
                    | BinaryOperator::LessOrEqual
                    | BinaryOperator::Greater
                    | BinaryOperator::GreaterOrEqual => Some(Constraint::NeedsValue(subject)),
                    _ => None,
                }
            }
            Expr::Matches { value, .. } => Some(Constraint::NeedsValue(value)),
            Expr::In { value, .. } => Some(Constraint::NeedsValue(value)),
            Expr::Call { name, arguments }
                if name.eq_ignore_ascii_case("isNull") && arguments.len() == 1 =>
            {
                Some(Constraint::Null(&arguments[0]))
            }
            _ => None,
        }
    }

    fn subject(&self) -> &'e Spanned<Expr> {
        match self {
            Constraint::Equal(subject, _)
            | Constraint::NotEqual(subject, _)
            | Constraint::Null(subject)
            | Constraint::NeedsValue(subject) => subject,
        }
    }
}

fn contradictions(terms: &[&Spanned<Expr>], source: &str, findings: &mut Vec<Diagnostic>) {
    let constraints: Vec<Option<Constraint>> =
        terms.iter().map(|term| Constraint::of(term)).collect();
    for (later, constraint) in constraints.iter().enumerate() {
        let Some(constraint) = constraint else {
            continue;
        };
        for (earlier, other) in constraints[..later].iter().enumerate() {
            let Some(other) = other else { continue };
            if shape(&constraint.subject().node) != shape(&other.subject().node) {
                continue;
            }
            if let Some(reason) = conflict(other, constraint, source) {
                let earlier_text = source.get(terms[earlier].span.clone()).unwrap_or_default();
                findings.push(
                    Rule::NeverTrue
                        .finding(
                            "this condition can never be true",
                            terms[later].span.clone(),
                            format!("contradicts `{earlier_text}` in the same `and` chain"),
                        )
                        .with_note(reason)
                        .with_help(
                            "if either value should pass, join the terms with `or` or use `in (…)`",
                        ),
                );
                break;
            }
        }
    }
}

/// Explains why two constraints on the same subject cannot both hold.
fn conflict(first: &Constraint, second: &Constraint, source: &str) -> Option<String> {
    let subject = source
        .get(first.subject().span.clone())
        .unwrap_or("the value");
    match (first, second) {
        (Constraint::Equal(_, a), Constraint::Equal(_, b)) if !constants_equal(a, b) => Some(format!(
            "`{subject}` cannot equal both {} and {}",
            constant_text(a),
            constant_text(b)
        )),
        (Constraint::Equal(_, a), Constraint::NotEqual(_, b)) | (Constraint::NotEqual(_, b), Constraint::Equal(_, a))
            if constants_equal(a, b) =>
        {
            Some(format!("`{subject}` cannot both equal and differ from {}", constant_text(a)))
        }
        (Constraint::Null(_), Constraint::Equal(..) | Constraint::NotEqual(..) | Constraint::NeedsValue(_))
        | (Constraint::Equal(..) | Constraint::NotEqual(..) | Constraint::NeedsValue(_), Constraint::Null(_)) => {
            Some(format!(
                "a comparison with null is false, so no row where `{subject}` is null passes the other term"
            ))
        }
        _ => None,
    }
}

/// Compares two literals under the rules of `=`: numbers as numbers, a
/// number and a text as numbers when the text reads as one, texts exactly.
fn constants_equal(left: &Expr, right: &Expr) -> bool {
    let number = |expr: &Expr| match expr {
        Expr::Number(number) => Some(*number),
        Expr::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    match (left, right) {
        (Expr::String(a), Expr::String(b)) => a == b,
        (Expr::Boolean(a), Expr::Boolean(b)) => a == b,
        (Expr::Number(_), _) | (_, Expr::Number(_)) => match (number(left), number(right)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        _ => false,
    }
}

fn constant_text(expr: &Expr) -> String {
    match expr {
        Expr::String(text) => format!("`{}`", super::walk::quote(text)),
        Expr::Number(number) => format!("`{}`", sumoql_engine::format_number(*number)),
        Expr::Boolean(flag) => format!("`{flag}`"),
        _ => "a value".to_string(),
    }
}

/// Finds `toLowerCase(x) matches "…A…"` and `toUpperCase(x) = "…a…"`: the
/// folded value never has letters of the other case, so the term is never true.
fn folded_case_mismatch(expr: &Spanned<Expr>) -> Option<Diagnostic> {
    let (value, literal, pattern_span) = match &expr.node {
        Expr::Matches { value, pattern } => match &pattern.node {
            Expr::String(text) => (value, text, &pattern.span),
            _ => return None,
        },
        Expr::Binary {
            operator: BinaryOperator::Equal,
            left,
            right,
        } => match (&left.node, &right.node) {
            (_, Expr::String(text)) => (left, text, &right.span),
            (Expr::String(text), _) => (right, text, &left.span),
            _ => return None,
        },
        _ => return None,
    };
    let Expr::Call { name, .. } = &value.node else {
        return None;
    };
    let (folded_to, offending) = if name.eq_ignore_ascii_case("toLowerCase") {
        ("lower", literal.chars().find(|c| c.is_uppercase())?)
    } else if name.eq_ignore_ascii_case("toUpperCase") {
        ("upper", literal.chars().find(|c| c.is_lowercase())?)
    } else {
        return None;
    };
    let fixed = if folded_to == "lower" {
        literal.to_lowercase()
    } else {
        literal.to_uppercase()
    };
    Some(
        Rule::NeverTrue
            .finding(
                "this comparison can never be true",
                pattern_span.clone(),
                format!("`{offending}` cannot occur in a value that `{name}` returns"),
            )
            .with_note(format!("`{name}` leaves only {folded_to}-case letters, and the comparison is case-sensitive"))
            .with_help(format!("write the text in {folded_to} case: {}", super::walk::quote(&fixed))),
    )
}
