//! The typed syntax tree of a Sumo Logic search query.
//!
//! Every node that a diagnostic may point at is wrapped in [`Spanned`], so the
//! variant definitions read like the grammar and the byte ranges sit beside
//! them. Spans are byte offsets into the query text the parser was given.

use std::fmt;
use std::ops::Range;

/// A byte range in the query text.
pub type Span = Range<usize>;

/// A syntax node with the byte range of the text it was parsed from.
#[derive(Clone, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

// Spans are left out of `Debug` output so AST snapshots show the shape only.
impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(formatter)
    }
}

/// A whole query: the scope before the first `|`, then the pipe stages.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// `None` when the query starts with `|` or is empty before it, which
    /// Sumo treats like `*`.
    pub scope: Option<Spanned<Scope>>,
    pub stages: Vec<Spanned<Stage>>,
}

/// The keyword expression before the first pipe.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// `*`: every record.
    All,
    /// A bare keyword (`error`, `fail*`) or a quoted phrase (`"Access denied"`),
    /// matched case-insensitively against `_raw`. The text is decoded: quotes
    /// removed and escapes resolved.
    Keyword { text: String, quoted: bool },
    /// `field=value` or `field!=value`, such as `_sourceCategory=windows/sysmon`.
    /// The value is decoded; `quoted` records whether it was written in quotes.
    Term {
        field: String,
        negated: bool,
        value: String,
        quoted: bool,
    },
    And(Box<Spanned<Scope>>, Box<Spanned<Scope>>),
    Or(Box<Spanned<Scope>>, Box<Spanned<Scope>>),
    Not(Box<Spanned<Scope>>),
}

/// One pipe stage.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// `where <condition>`
    Where(Spanned<Expr>),
    /// `parse [field=F] "a*b*c" as x, y [nodrop]`
    Parse {
        field: Option<Spanned<String>>,
        /// The decoded pattern text; each `*` marks one capture.
        pattern: Spanned<String>,
        names: Vec<Spanned<String>>,
        nodrop: bool,
    },
    /// `parse regex [field=F] "re" [multi] [nodrop]` (also spelled `extract`).
    /// Captures go to the regex's named groups.
    ParseRegex {
        field: Option<Spanned<String>>,
        regex: Spanned<String>,
        multi: bool,
        nodrop: bool,
    },
    /// `<expr> as Name`, including `"literal" as Name` and `concat(...) as Name`.
    Assign {
        value: Spanned<Expr>,
        name: Spanned<String>,
    },
    /// `fields a, b` keeps only the listed fields; `fields - a, b` removes them.
    /// `fields a as b` (keep mode only) is a sumoql extension: copy `a` to `b`
    /// and keep `b`.
    Fields {
        mode: FieldsMode,
        items: Vec<Spanned<FieldItem>>,
    },
    /// `union [ subquery ]`, a sumoql extension: append the rows that the
    /// subquery, with its own scope, produces over the same input.
    Union(Box<Spanned<Query>>),
    /// `sort by a desc, b asc` (also `order by`, `sort a`, `sort by +a`).
    Sort(Vec<Spanned<SortKey>>),
    /// `count`, `count by a, b`, `count(x) as n by a`, `count_distinct(x) by a`.
    Aggregate {
        functions: Vec<Spanned<AggregateCall>>,
        by: Vec<Spanned<Expr>>,
    },
    /// `limit N`
    Limit(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldsMode {
    Keep,
    Remove,
}

/// One entry of a `fields` list.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldItem {
    pub name: String,
    /// The new name in `fields a as b`.
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub key: Spanned<Expr>,
    pub direction: SortDirection,
}

/// Sumo sorts descending unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    Ascending,
    Descending,
}

/// One aggregate function inside an aggregate stage.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateCall {
    /// Lower-cased function name: `count`, `count_distinct`, `sum`, …
    pub function: String,
    pub arguments: Vec<Spanned<Expr>>,
    pub alias: Option<Spanned<String>>,
}

/// An expression inside `where`, `as`, `sort by` and function arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A field reference, written bare (`Image`) or quoted (`%"Class ID"`).
    Field(String),
    /// A decoded double-quoted string literal.
    String(String),
    Number(f64),
    Boolean(bool),
    /// A `/regex/` literal, without the slashes.
    Regex(String),
    /// `!x`, `not x`
    Not(Box<Spanned<Expr>>),
    /// `-x`
    Negate(Box<Spanned<Expr>>),
    Binary {
        operator: BinaryOperator,
        left: Box<Spanned<Expr>>,
        right: Box<Spanned<Expr>>,
    },
    /// `value matches "wild*card"` or `value matches /regex/`. A string or
    /// field on the right is a wildcard pattern; a regex literal is a regex.
    Matches {
        value: Box<Spanned<Expr>>,
        pattern: Box<Spanned<Expr>>,
    },
    /// `value in (a, b)` and `value not in (a, b)`.
    In {
        value: Box<Spanned<Expr>>,
        list: Vec<Spanned<Expr>>,
        negated: bool,
    },
    /// `name(arguments)`; the name is kept as written, compared case-insensitively.
    Call {
        name: String,
        arguments: Vec<Spanned<Expr>>,
    },
    /// `condition ? then : otherwise`
    Conditional {
        condition: Box<Spanned<Expr>>,
        then: Box<Spanned<Expr>>,
        otherwise: Box<Spanned<Expr>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOperator {
    And,
    Or,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}
