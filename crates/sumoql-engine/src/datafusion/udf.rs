//! sumoql's semantics as DataFusion scalar functions.
//!
//! Every function is stateless: patterns, regexes and operator names arrive
//! as literal arguments, so a plan that names these functions can be sent to
//! another process (a Ballista executor) which registers the same list.
//! The evaluation itself is the native engine's: `sumo_eval` rebuilds one
//! expression node over constant operands and evaluates it, so null rules,
//! comparisons and functions cannot drift from the native engine.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BooleanArray, Float64Array, ListBuilder, StringArray,
    StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::value::{value_type, wrap, ValueBuilder, Values};
use crate::expr::{Arithmetic, Comparison, CompiledExpr};
use crate::functions::Function;
use crate::pattern::{AnchorPattern, WildcardPattern};
use crate::row::{FieldTable, Row, RowContext};
use crate::scope::{keyword_regex, TermPattern};
use crate::sumo_regex::SumoRegex;
use crate::value::Value;

/// The regex size limit of the native compiler, for regexes compiled again here.
const REGEX_SIZE_LIMIT: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// `sumo_value(x)`: a plain column or literal as a value.
    Value,
    /// `sumo_eval(spec, operands…)`: one expression node of the native engine.
    Eval,
    /// `sumo_is_true(v)`: the truth of a condition; null is false.
    IsTrue,
    /// `sumo_to_number(v)`: Float64, null when the value is not a number.
    ToNumber,
    /// `sumo_to_text(v)`: Utf8, the value as results show it.
    ToText,
    /// `sumo_sort_key(v)`: bytes that order as `sort` orders values.
    SortKey,
    /// `sumo_matches(v, pattern)`: a case-sensitive `*` wildcard match.
    Matches,
    /// `sumo_keyword(raw, text, quoted)`: a scope keyword or phrase.
    Keyword,
    /// `sumo_term(v, value, quoted)`: a scope `field=value` term.
    Term,
    /// `sumo_parse(v, pattern)`: the captures of an anchor pattern, or null.
    Parse,
    /// `sumo_parse_regex(v, regex, groups)`: the first match's groups, or null.
    ParseRegex,
    /// `sumo_item(list, index)`: one capture as a text value.
    Item,
    /// `sumo_stage(text, names, range, values…)`: a per-row stage (an
    /// extraction or `timeslice`) compiled from its text and run over the
    /// values of the named fields; returns their values after it, or null
    /// when the stage drops the row.
    Stage,
    /// `sumo_hold(text, names, range, rows)`: a row-holding stage (`top`,
    /// `fillmissing`, `accum`, …) compiled from its text and run over a list
    /// of rows (structs of the named fields, in native order); returns the
    /// rows it releases, each with its `__order` among them.
    Hold,
    /// `sumo_order(op, …)`: the bytes that order rows in the native engine's
    /// order (see the module docs of `datafusion`): `start` (a record's
    /// position and branch), `rank` (a phase and a rank), `append` (a
    /// match index after an order).
    Order,
    /// `sumo_parse_regex_multi(v, regex, groups, keep)`: every match's groups
    /// with its index; one entry without captures when nothing matched and
    /// `keep` holds, none when it does not.
    ParseRegexMulti,
    /// `sumo_in_time_range(time, start, end)`: true unless a readable time
    /// lies outside the range.
    InTimeRange,
}

const KINDS: &[(&str, Kind)] = &[
    ("sumo_value", Kind::Value),
    ("sumo_eval", Kind::Eval),
    ("sumo_is_true", Kind::IsTrue),
    ("sumo_to_number", Kind::ToNumber),
    ("sumo_to_text", Kind::ToText),
    ("sumo_sort_key", Kind::SortKey),
    ("sumo_matches", Kind::Matches),
    ("sumo_keyword", Kind::Keyword),
    ("sumo_term", Kind::Term),
    ("sumo_parse", Kind::Parse),
    ("sumo_parse_regex", Kind::ParseRegex),
    ("sumo_item", Kind::Item),
    ("sumo_stage", Kind::Stage),
    ("sumo_hold", Kind::Hold),
    ("sumo_order", Kind::Order),
    ("sumo_parse_regex_multi", Kind::ParseRegexMulti),
    ("sumo_in_time_range", Kind::InTimeRange),
];

#[derive(Debug, PartialEq, Eq, Hash)]
struct SumoFunction {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

/// Returns every scalar function sumoql's translated plans call. Register
/// all of them wherever such a plan is planned or run.
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    KINDS
        .iter()
        .map(|(name, kind)| {
            Arc::new(ScalarUDF::new_from_impl(SumoFunction {
                name,
                kind: *kind,
                signature: Signature::variadic_any(Volatility::Immutable),
            }))
        })
        .collect()
}

/// Returns the function named `name` from [`scalar_functions`].
pub(crate) fn function(name: &str) -> Arc<ScalarUDF> {
    static FUNCTIONS: OnceLock<Vec<Arc<ScalarUDF>>> = OnceLock::new();
    FUNCTIONS
        .get_or_init(scalar_functions)
        .iter()
        .find(|udf| udf.name() == name)
        .unwrap_or_else(|| panic!("{name} is one of sumoql's DataFusion functions"))
        .clone()
}

fn captures_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

impl ScalarUDFImpl for SumoFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arguments: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::Hold => held_rows_type(arguments.get(3))?,
            Kind::Order => DataType::Binary,
            Kind::ParseRegexMulti => multi_matches_type(),
            Kind::Value | Kind::Eval | Kind::Item => value_type(),
            Kind::IsTrue | Kind::Matches | Kind::Keyword | Kind::Term | Kind::InTimeRange => {
                DataType::Boolean
            }
            Kind::ToNumber => DataType::Float64,
            Kind::ToText => DataType::Utf8,
            Kind::SortKey => DataType::Binary,
            Kind::Parse | Kind::ParseRegex => captures_type(),
            Kind::Stage => DataType::List(Arc::new(Field::new_list_field(value_type(), true))),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let all_scalar = args
            .args
            .iter()
            .all(|argument| matches!(argument, ColumnarValue::Scalar(_)));
        let result = match self.kind {
            Kind::Value => wrap(&args.args[0].to_array(rows)?)?,
            Kind::Eval => eval(&args.args, rows)?,
            Kind::IsTrue => booleans(&args.args[0], rows, |values, row| {
                values.get(row).is_some_and(|value| value.is_true())
            })?,
            Kind::ToNumber => {
                let values = args.args[0].to_array(rows)?;
                let values = Values::new(&values)?;
                let numbers: Float64Array = (0..rows)
                    .map(|row| values.get(row).and_then(|value| value.to_number()))
                    .collect();
                Arc::new(numbers)
            }
            Kind::ToText => {
                let values = args.args[0].to_array(rows)?;
                let values = Values::new(&values)?;
                let texts: StringArray = (0..rows).map(|row| values.text(row)).collect();
                Arc::new(texts)
            }
            Kind::SortKey => sort_keys(&args.args[0], rows)?,
            Kind::Matches => {
                let pattern = WildcardPattern::new(&literal_text(&args.args, 1)?);
                booleans(&args.args[0], rows, |values, row| {
                    values.text(row).is_some_and(|text| pattern.is_match(&text))
                })?
            }
            Kind::Keyword => {
                let text = literal_text(&args.args, 1)?;
                let quoted = literal_flag(&args.args, 2)?;
                let regex = cached_keyword(&text, quoted)?;
                booleans(&args.args[0], rows, |values, row| {
                    values.text(row).is_some_and(|text| regex.is_match(&text))
                })?
            }
            Kind::Term => {
                let pattern =
                    TermPattern::new(&literal_text(&args.args, 1)?, literal_flag(&args.args, 2)?);
                booleans(&args.args[0], rows, |values, row| {
                    values.text(row).is_some_and(|text| pattern.matches(&text))
                })?
            }
            Kind::Parse => {
                let pattern = AnchorPattern::new(&literal_text(&args.args, 1)?);
                captures(&args.args[0], rows, |text, out| {
                    match pattern.captures(text) {
                        Some(found) => {
                            for capture in found {
                                out.values().append_value(capture);
                            }
                            true
                        }
                        None => false,
                    }
                })?
            }
            Kind::ParseRegex => {
                let regex = cached_regex(&literal_text(&args.args, 1)?)?;
                let groups: Vec<usize> = literal_text(&args.args, 2)?
                    .split(',')
                    .filter_map(|group| group.parse().ok())
                    .collect();
                captures(&args.args[0], rows, |text, out| {
                    let mut found = regex.group_matches(text, groups.iter().copied(), false);
                    match found.pop() {
                        Some(values) if found.is_empty() => {
                            for value in values {
                                out.values().append_option(value);
                            }
                            true
                        }
                        _ => false,
                    }
                })?
            }
            Kind::Stage => stage(&args.args, rows)?,
            Kind::Order => order(&args.args, rows)?,
            Kind::ParseRegexMulti => parse_regex_multi(&args.args, rows)?,
            Kind::Hold => hold(&args.args, rows, args.return_type())?,
            Kind::Item => {
                let lists = args.args[0].to_array(rows)?;
                let Some(lists) = lists.as_list_opt::<i32>() else {
                    return exec_err!("sumo_item expects a list of captures");
                };
                let index = match &args.args[1] {
                    ColumnarValue::Scalar(ScalarValue::Int64(Some(index))) => *index as usize,
                    other => {
                        return exec_err!("sumo_item expects a literal index, found {other:?}")
                    }
                };
                let mut builder = ValueBuilder::with_capacity(rows);
                for row in 0..rows {
                    if lists.is_null(row) {
                        builder.push_text(None);
                        continue;
                    }
                    let list = lists.value(row);
                    if super::value::is_value_type(list.data_type()) {
                        let values = Values::new(&list)?;
                        let value = (index < list.len()).then(|| values.get(index)).flatten();
                        builder.push(value.as_ref());
                        continue;
                    }
                    let texts: &StringArray = list.as_string();
                    let text =
                        (index < texts.len() && texts.is_valid(index)).then(|| texts.value(index));
                    builder.push_text(text);
                }
                builder.finish()
            }
            Kind::InTimeRange => {
                let start = literal_integer(&args.args, 1)?;
                let end = literal_integer(&args.args, 2)?;
                let range = crate::TimeRange { start, end };
                booleans(&args.args[0], rows, |values, row| {
                    let time = values.get(row).and_then(|value| value.to_number());
                    time.is_none_or(|time| range.contains(time))
                })?
            }
        };
        if all_scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(result))
        }
    }
}

fn literal_text(arguments: &[ColumnarValue], index: usize) -> Result<String> {
    match arguments.get(index) {
        Some(ColumnarValue::Scalar(
            ScalarValue::Utf8(Some(text))
            | ScalarValue::Utf8View(Some(text))
            | ScalarValue::LargeUtf8(Some(text)),
        )) => Ok(text.clone()),
        other => exec_err!("argument {index} must be literal text, found {other:?}"),
    }
}

fn literal_flag(arguments: &[ColumnarValue], index: usize) -> Result<bool> {
    match arguments.get(index) {
        Some(ColumnarValue::Scalar(ScalarValue::Boolean(Some(flag)))) => Ok(*flag),
        other => exec_err!("argument {index} must be a literal boolean, found {other:?}"),
    }
}

fn literal_integer(arguments: &[ColumnarValue], index: usize) -> Result<i64> {
    match arguments.get(index) {
        Some(ColumnarValue::Scalar(ScalarValue::Int64(Some(number)))) => Ok(*number),
        other => exec_err!("argument {index} must be a literal integer, found {other:?}"),
    }
}

fn booleans(
    argument: &ColumnarValue,
    rows: usize,
    test: impl Fn(&Values, usize) -> bool,
) -> Result<ArrayRef> {
    let values = argument.to_array(rows)?;
    let values = Values::new(&values)?;
    let flags: BooleanArray = (0..rows).map(|row| Some(test(&values, row))).collect();
    Ok(Arc::new(flags))
}

/// Builds a list of captures per row: `capture` appends the captures of a
/// text and reports whether it matched; a null value or no match is null.
fn captures(
    argument: &ColumnarValue,
    rows: usize,
    capture: impl Fn(&str, &mut ListBuilder<StringBuilder>) -> bool,
) -> Result<ArrayRef> {
    let values = argument.to_array(rows)?;
    let values = Values::new(&values)?;
    let mut builder = ListBuilder::new(StringBuilder::new());
    for row in 0..rows {
        let matched = values
            .text(row)
            .is_some_and(|text| capture(&text, &mut builder));
        builder.append(matched);
    }
    Ok(Arc::new(builder.finish()))
}

fn sort_keys(argument: &ColumnarValue, rows: usize) -> Result<ArrayRef> {
    let values = argument.to_array(rows)?;
    let values = Values::new(&values)?;
    let mut builder = BinaryBuilder::with_capacity(rows, rows * 16);
    let mut key = Vec::new();
    for row in 0..rows {
        key.clear();
        sort_key(values.get(row).as_ref(), &mut key);
        builder.append_value(&key);
    }
    Ok(Arc::new(builder.finish()))
}

/// Writes bytes whose order is [`crate::value::compare_for_sort`]'s: null,
/// then numbers by value, then text with letters folded to lower case and,
/// on a tie, lower case first.
pub(crate) fn sort_key(value: Option<&Value>, key: &mut Vec<u8>) {
    match value {
        None => key.push(0),
        Some(Value::Number(number)) => {
            key.push(1);
            let bits = number.to_bits();
            let ordered = if bits >> 63 == 1 {
                !bits
            } else {
                bits | 1 << 63
            };
            key.extend_from_slice(&ordered.to_be_bytes());
        }
        Some(value) => {
            key.push(2);
            let text = value.to_text();
            let mut buffer = [0u8; 4];
            for character in text.chars().flat_map(char::to_lowercase) {
                for byte in character.encode_utf8(&mut buffer).bytes() {
                    // Zero bytes are doubled so the end marker sorts first.
                    key.push(byte);
                    if byte == 0 {
                        key.push(1);
                    }
                }
            }
            key.extend_from_slice(&[0, 0]);
            key.extend(text.chars().map(|c| if c.is_uppercase() { 2 } else { 1 }));
        }
    }
}

/// An expression node of the native engine, with the literal parts of its
/// operands compiled once per batch.
enum Node {
    Not,
    Negate,
    And,
    Or,
    Conditional,
    In { negated: bool },
    MatchesComputed,
    MatchesRegex(SumoRegex),
    Compare(Comparison),
    Arithmetic(Arithmetic),
    Call(Function, Vec<Option<SumoRegex>>),
}

impl Node {
    fn parse(spec: &str, arguments: &[ColumnarValue]) -> Result<Node> {
        let node = match spec {
            "not" => Node::Not,
            "negate" => Node::Negate,
            "and" => Node::And,
            "or" => Node::Or,
            "if" => Node::Conditional,
            "in" => Node::In { negated: false },
            "not in" => Node::In { negated: true },
            "matches" => Node::MatchesComputed,
            "matches regex" => Node::MatchesRegex(cached_regex(&literal_text(arguments, 2)?)?),
            "=" => Node::Compare(Comparison::Equal),
            "!=" => Node::Compare(Comparison::NotEqual),
            "<" => Node::Compare(Comparison::Less),
            "<=" => Node::Compare(Comparison::LessOrEqual),
            ">" => Node::Compare(Comparison::Greater),
            ">=" => Node::Compare(Comparison::GreaterOrEqual),
            "+" => Node::Arithmetic(Arithmetic::Add),
            "-" => Node::Arithmetic(Arithmetic::Subtract),
            "*" => Node::Arithmetic(Arithmetic::Multiply),
            "/" => Node::Arithmetic(Arithmetic::Divide),
            "%" => Node::Arithmetic(Arithmetic::Remainder),
            call => {
                // `call NAME KINDS`: KINDS has `v` for a value operand and
                // `r` for a regex literal, one letter per operand.
                let mut parts = call.split(' ');
                let (Some("call"), Some(name), Some(kinds)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return exec_err!("unknown sumo_eval operation {spec:?}");
                };
                let Some(function) = Function::by_name(name) else {
                    return exec_err!("unknown sumoql function {name:?}");
                };
                let mut regexes = Vec::new();
                for (index, kind) in kinds.chars().enumerate() {
                    regexes.push(match kind {
                        'r' => Some(cached_regex(&literal_text(arguments, index + 1)?)?),
                        _ => None,
                    });
                }
                Node::Call(function, regexes)
            }
        };
        Ok(node)
    }

    fn build(&self, operands: Vec<CompiledExpr>) -> CompiledExpr {
        match self {
            Node::In { negated } => {
                let mut operands = operands.into_iter();
                let value = Box::new(operands.next().unwrap_or(CompiledExpr::Constant(None)));
                return CompiledExpr::In {
                    value,
                    list: operands.collect(),
                    negated: *negated,
                };
            }
            Node::Call(function, regexes) => {
                let operands = operands
                    .into_iter()
                    .zip(regexes)
                    .map(|(operand, regex)| match regex {
                        Some(regex) => CompiledExpr::RegexArgument(regex.clone()),
                        None => operand,
                    })
                    .collect();
                return CompiledExpr::Call(*function, operands);
            }
            _ => {}
        }
        let mut operands = operands.into_iter();
        let mut next = || Box::new(operands.next().unwrap_or(CompiledExpr::Constant(None)));
        match self {
            Node::Not => CompiledExpr::Not(next()),
            Node::Negate => CompiledExpr::Negate(next()),
            Node::And => CompiledExpr::And(next(), next()),
            Node::Or => CompiledExpr::Or(next(), next()),
            Node::Conditional => CompiledExpr::Conditional(next(), next(), next()),
            Node::MatchesComputed => CompiledExpr::MatchesComputed(next(), next()),
            Node::MatchesRegex(regex) => CompiledExpr::MatchesRegex(next(), regex.clone()),
            Node::Compare(comparison) => CompiledExpr::Compare(*comparison, next(), next()),
            Node::Arithmetic(operator) => CompiledExpr::Arithmetic(*operator, next(), next()),
            Node::In { .. } | Node::Call(..) => unreachable!("handled above"),
        }
    }
}

/// `sumo_eval(spec, operands…)`: evaluates one native expression node per
/// row over the operands' values.
fn eval(arguments: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
    let spec = literal_text(arguments, 0)?;
    let node = Node::parse(&spec, arguments)?;
    let operands: Vec<ArrayRef> = arguments[1..]
        .iter()
        .map(|argument| argument.to_array(rows))
        .collect::<Result<_>>()?;
    // A regex literal of `matches` or a function call is text, not a value.
    let operands: Vec<Option<Values>> = operands
        .iter()
        .map(|array| {
            if super::value::is_value_type(array.data_type()) {
                Values::new(array).map(Some)
            } else {
                Ok(None)
            }
        })
        .collect::<Result<_>>()?;
    let fields = FieldTable::default();
    let context = RowContext {
        record: None,
        fields: &fields,
        time_range: None,
    };
    let mut row = Row::empty(0);
    let mut builder = ValueBuilder::with_capacity(rows);
    for index in 0..rows {
        let constants = operands
            .iter()
            .filter(|operand| !matches!(node, Node::MatchesRegex(_)) || operand.is_some())
            .map(|operand| {
                CompiledExpr::Constant(operand.as_ref().and_then(|values| values.get(index)))
            })
            .collect();
        let expression = node.build(constants);
        builder.push(expression.evaluate(&mut row, &context).as_ref());
    }
    Ok(builder.finish())
}

/// A per-row stage compiled on its own, with the slots of the fields it is
/// given, in the order of the `names` argument.
pub(crate) struct CompiledStage {
    plan: crate::Plan,
    fields: FieldTable,
    slots: Vec<crate::expr::Slot>,
}

/// Compiled stages by their text and the names they are given.
type StageCache = Mutex<HashMap<(String, String), Arc<CompiledStage>>>;

static STAGES: OnceLock<StageCache> = OnceLock::new();

/// Compiles `* | TEXT`, whose first operator is the stage, and gives each
/// name a slot; an `auto` extraction fills the names it finds keys for.
pub(crate) fn compiled_stage(text: &str, names: &str) -> Result<Arc<CompiledStage>> {
    let cache = STAGES.get_or_init(Default::default);
    let key = (text.to_string(), names.to_string());
    if let Some(stage) = cache.lock().expect("stage cache").get(&key) {
        return Ok(stage.clone());
    }
    let query = match sumoql_syntax::parse_query(&format!("* {text}")) {
        Ok(query) => query,
        Err(errors) => return exec_err!("stage {text:?} does not parse: {}", errors[0].message),
    };
    let plan = match crate::compile(&query) {
        Ok(plan) => plan,
        Err(errors) => return exec_err!("stage {text:?} does not compile: {}", errors[0].message),
    };
    if plan.root.operators.is_empty() {
        return exec_err!("stage {text:?} has no operator");
    }
    let mut fields = plan.fields.clone();
    let slots = names.split('\n').map(|name| fields.slot(name)).collect();
    let stage = Arc::new(CompiledStage {
        plan,
        fields,
        slots,
    });
    let mut cache = cache.lock().expect("stage cache");
    if cache.len() >= CACHE_SIZE {
        cache.clear();
    }
    cache.insert(key, stage.clone());
    Ok(stage)
}

fn stage(arguments: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
    use crate::plan::Operator;

    let text = literal_text(arguments, 0)?;
    let names = literal_text(arguments, 1)?;
    let time_range = parse_range(&literal_text(arguments, 2)?);
    let stage = compiled_stage(&text, &names)?;
    let inputs: Vec<ArrayRef> = arguments[3..]
        .iter()
        .map(|argument| argument.to_array(rows))
        .collect::<Result<_>>()?;
    let inputs: Vec<Values> = inputs.iter().map(Values::new).collect::<Result<_>>()?;
    if inputs.len() != stage.slots.len() {
        return exec_err!("sumo_stage expects one value per name");
    }
    let context = RowContext {
        record: None,
        fields: &stage.fields,
        time_range,
    };
    let mut outputs: Vec<Option<Vec<Option<Value>>>> = Vec::with_capacity(rows);
    for index in 0..rows {
        let mut row = Row::empty(stage.fields.len());
        for (slot, input) in stage.slots.iter().zip(&inputs) {
            row.set(*slot, input.get(index));
        }
        let kept = match &stage.plan.root.operators[..] {
            [Operator::Extract { source, extractor }] => {
                let text = row.get(*source, &context).map(|value| value.to_text());
                extractor.apply(text.as_ref(), &mut row, &stage.fields)
            }
            [Operator::Timeslice(timeslice)] => {
                timeslice.apply(&mut row, &context);
                true
            }
            _ => return exec_err!("stage {text:?} is not an extraction or timeslice"),
        };
        outputs.push(kept.then(|| {
            stage
                .slots
                .iter()
                .map(|slot| row.get(*slot, &context))
                .collect()
        }));
    }
    let mut values = ValueBuilder::with_capacity(rows * stage.slots.len());
    let mut offsets = vec![0i32];
    let mut valid = Vec::with_capacity(rows);
    for output in &outputs {
        if let Some(output) = output {
            for value in output {
                values.push(value.as_ref());
            }
        }
        let end =
            offsets[offsets.len() - 1] + output.as_ref().map_or(0, |output| output.len() as i32);
        offsets.push(end);
        valid.push(output.is_some());
    }
    let list = datafusion::arrow::array::ListArray::try_new(
        Arc::new(Field::new_list_field(value_type(), true)),
        datafusion::arrow::buffer::OffsetBuffer::new(offsets.into()),
        values.finish(),
        Some(datafusion::arrow::buffer::NullBuffer::from(valid)),
    )?;
    Ok(Arc::new(list))
}

fn multi_matches_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(
        DataType::Struct(multi_match_fields()),
        true,
    )))
}

fn multi_match_fields() -> datafusion::arrow::datatypes::Fields {
    vec![
        Field::new("captures", captures_type(), true),
        Field::new("index", DataType::UInt32, false),
    ]
    .into()
}

fn parse_regex_multi(arguments: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
    use datafusion::arrow::array::{ListArray, StructArray, UInt32Builder};
    use datafusion::arrow::buffer::OffsetBuffer;

    let regex = cached_regex(&literal_text(arguments, 1)?)?;
    let groups: Vec<usize> = literal_text(arguments, 2)?
        .split(',')
        .filter_map(|group| group.parse().ok())
        .collect();
    let values = arguments[0].to_array(rows)?;
    let values = Values::new(&values)?;
    let keep = arguments[3].to_array(rows)?;
    let Some(keep) = keep.as_boolean_opt() else {
        return exec_err!("sumo_parse_regex_multi expects a boolean keep flag");
    };
    let mut captures = ListBuilder::new(StringBuilder::new());
    let mut indexes = UInt32Builder::new();
    let mut offsets = vec![0i32];
    let mut entries = 0i32;
    for row in 0..rows {
        let found = values
            .text(row)
            .map(|text| {
                regex
                    .group_matches(&text, groups.iter().copied(), true)
                    .into_iter()
                    .map(|values| {
                        values
                            .into_iter()
                            .map(|value| value.map(str::to_string))
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if found.is_empty() {
            if keep.is_valid(row) && keep.value(row) {
                captures.append(false);
                indexes.append_value(0);
                entries += 1;
            }
        } else {
            for (index, values) in found.into_iter().enumerate() {
                for value in values {
                    captures.values().append_option(value);
                }
                captures.append(true);
                indexes.append_value(index as u32);
                entries += 1;
            }
        }
        offsets.push(entries);
    }
    let entries = StructArray::try_new(
        multi_match_fields(),
        vec![Arc::new(captures.finish()), Arc::new(indexes.finish())],
        None,
    )?;
    let list = ListArray::try_new(
        Arc::new(Field::new_list_field(
            DataType::Struct(multi_match_fields()),
            true,
        )),
        OffsetBuffer::new(offsets.into()),
        Arc::new(entries),
        None,
    )?;
    Ok(Arc::new(list))
}

/// `sumo_order`: see [`Kind::Order`].
fn order(arguments: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::UInt64Type;

    let operation = literal_text(arguments, 0)?;
    let number = |index: usize| -> Result<ArrayRef> {
        Ok(cast(&arguments[index].to_array(rows)?, &DataType::UInt64)?)
    };
    let mut builder = BinaryBuilder::with_capacity(rows, rows * 16);
    let mut key = Vec::with_capacity(16);
    match operation.as_str() {
        "start" => {
            let sequence = number(1)?;
            let branch = number(2)?;
            let (sequence, branch) = (
                sequence.as_primitive::<UInt64Type>(),
                branch.as_primitive::<UInt64Type>(),
            );
            for row in 0..rows {
                key.clear();
                key.extend_from_slice(&[0, 0, 0, 0]);
                key.extend_from_slice(&sequence.value(row).to_be_bytes());
                key.extend_from_slice(&(branch.value(row) as u16).to_be_bytes());
                builder.append_value(&key);
            }
        }
        "rank" => {
            let phase = number(1)?;
            let rank = number(2)?;
            let (phase, rank) = (
                phase.as_primitive::<UInt64Type>(),
                rank.as_primitive::<UInt64Type>(),
            );
            for row in 0..rows {
                key.clear();
                key.extend_from_slice(&(phase.value(row) as u32).to_be_bytes());
                key.extend_from_slice(&rank.value(row).to_be_bytes());
                builder.append_value(&key);
            }
        }
        "append" => {
            let orders = arguments[1].to_array(rows)?;
            let Some(orders) = orders.as_binary_opt::<i32>() else {
                return exec_err!("sumo_order append expects an order");
            };
            let index = number(2)?;
            let index = index.as_primitive::<UInt64Type>();
            for row in 0..rows {
                key.clear();
                key.extend_from_slice(orders.value(row));
                key.extend_from_slice(&(index.value(row) as u32).to_be_bytes());
                builder.append_value(&key);
            }
        }
        other => return exec_err!("unknown sumo_order operation {other:?}"),
    }
    Ok(Arc::new(builder.finish()))
}

/// The type `sumo_hold` returns for a list of row structs: the same
/// structs with `__order` (UInt64) added.
fn held_rows_type(rows: Option<&DataType>) -> Result<DataType> {
    let Some(DataType::List(item)) = rows else {
        return exec_err!("sumo_hold expects a list of rows, found {rows:?}");
    };
    let DataType::Struct(fields) = item.data_type() else {
        return exec_err!(
            "sumo_hold expects rows as structs, found {}",
            item.data_type()
        );
    };
    let mut fields: Vec<Field> = fields.iter().map(|field| field.as_ref().clone()).collect();
    fields.push(Field::new("__order", DataType::UInt64, false));
    Ok(DataType::List(Arc::new(Field::new_list_field(
        DataType::Struct(fields.into()),
        true,
    ))))
}

/// Parses the `range` argument of `sumo_stage` and `sumo_hold`: `START..END`
/// in milliseconds, or empty for no range.
fn parse_range(range: &str) -> Option<crate::TimeRange> {
    range.split_once("..").and_then(|(start, end)| {
        Some(crate::TimeRange {
            start: start.parse().ok()?,
            end: end.parse().ok()?,
        })
    })
}

fn hold(arguments: &[ColumnarValue], rows: usize, return_type: &DataType) -> Result<ArrayRef> {
    use crate::plan::Operator;
    use datafusion::arrow::array::{ArrayBuilder, ListArray, StructArray, UInt64Builder};
    use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};

    let text = literal_text(arguments, 0)?;
    let names = literal_text(arguments, 1)?;
    let time_range = parse_range(&literal_text(arguments, 2)?);
    let stage = compiled_stage(&text, &names)?;
    // The stages before it are compiled along for their context (an
    // aggregate's result fields, a timeslice's width) and not run.
    let Some(Operator::Holding(holding)) = stage.plan.root.operators.last() else {
        return exec_err!("stage {text:?} does not hold rows");
    };
    let context = RowContext {
        record: None,
        fields: &stage.fields,
        time_range,
    };
    let DataType::List(item) = return_type else {
        return exec_err!("sumo_hold returns a list");
    };
    let DataType::Struct(out_fields) = item.data_type() else {
        return exec_err!("sumo_hold returns a list of structs");
    };
    let lists = arguments[3].to_array(rows)?;
    let Some(lists) = lists.as_list_opt::<i32>() else {
        return exec_err!("sumo_hold expects a list of rows");
    };
    let width = stage.fields.len();
    let mut columns: Vec<ValueBuilder> = stage
        .slots
        .iter()
        .map(|_| ValueBuilder::with_capacity(0))
        .collect();
    let mut orders = UInt64Builder::new();
    let mut offsets = vec![0i32];
    for index in 0..rows {
        let mut state = holding.start();
        if lists.is_valid(index) {
            let list = lists.value(index);
            let Some(held) = list.as_struct_opt() else {
                return exec_err!("sumo_hold expects rows as structs");
            };
            let children: Vec<ArrayRef> = held.columns().to_vec();
            let children: Vec<Values> = children.iter().map(Values::new).collect::<Result<_>>()?;
            for position in 0..held.len() {
                let mut row = Row::empty(width);
                for (slot, values) in stage.slots.iter().zip(&children) {
                    row.set(*slot, values.get(position));
                }
                holding.add(&mut state, row, &context);
            }
        }
        let released = holding.release(state, width, &context);
        for (order, mut row) in released.into_iter().enumerate() {
            for (slot, column) in stage.slots.iter().zip(columns.iter_mut()) {
                column.push(row.get(*slot, &context).as_ref());
            }
            orders.append_value(order as u64);
        }
        offsets.push(orders.len() as i32);
    }
    let mut children: Vec<ArrayRef> = columns.into_iter().map(ValueBuilder::finish).collect();
    children.push(Arc::new(orders.finish()));
    let released = StructArray::try_new(out_fields.clone(), children, None)?;
    let list = ListArray::try_new(
        item.clone(),
        OffsetBuffer::new(offsets.into()),
        Arc::new(released),
        Some(NullBuffer::new_valid(rows)),
    )?;
    Ok(Arc::new(list))
}

/// Compiled regexes and keyword matchers by their text: a plan runs the same
/// few over many batches.
static REGEXES: OnceLock<Mutex<HashMap<String, SumoRegex>>> = OnceLock::new();
static KEYWORDS: OnceLock<Mutex<HashMap<(String, bool), regex::Regex>>> = OnceLock::new();
const CACHE_SIZE: usize = 4096;

fn cached_regex(text: &str) -> Result<SumoRegex> {
    let cache = REGEXES.get_or_init(Default::default);
    if let Some(regex) = cache.lock().expect("regex cache").get(text) {
        return Ok(regex.clone());
    }
    let regex = match SumoRegex::new(text, REGEX_SIZE_LIMIT) {
        Ok(regex) => regex,
        Err(error) => return exec_err!("invalid regex {text:?}: {}", error.reason),
    };
    let mut cache = cache.lock().expect("regex cache");
    if cache.len() >= CACHE_SIZE {
        cache.clear();
    }
    cache.insert(text.to_string(), regex.clone());
    Ok(regex)
}

fn cached_keyword(text: &str, quoted: bool) -> Result<regex::Regex> {
    let cache = KEYWORDS.get_or_init(Default::default);
    let key = (text.to_string(), quoted);
    if let Some(regex) = cache.lock().expect("keyword cache").get(&key) {
        return Ok(regex.clone());
    }
    let regex = match keyword_regex(text, quoted) {
        Ok(regex) => regex,
        Err(error) => return exec_err!("invalid keyword {text:?}: {error}"),
    };
    let mut cache = cache.lock().expect("keyword cache");
    if cache.len() >= CACHE_SIZE {
        cache.clear();
    }
    cache.insert(key, regex.clone());
    Ok(regex)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::compare_for_sort;

    #[test]
    fn sort_keys_order_as_sort_does() {
        let values = [
            None,
            Some(Value::Number(-1e300)),
            Some(Value::Number(-2.5)),
            Some(Value::Number(-0.0)),
            Some(Value::Number(0.0)),
            Some(Value::Number(3.0)),
            Some(Value::Number(1e300)),
            Some(Value::text("")),
            Some(Value::text("10")),
            Some(Value::text("9")),
            Some(Value::text("apple")),
            Some(Value::text("Apple")),
            Some(Value::text("APPLE")),
            Some(Value::text("apples")),
            Some(Value::text("b\u{0}")),
            Some(Value::text("banana")),
            Some(Value::Boolean(false)),
            Some(Value::text("Straße")),
            Some(Value::Boolean(true)),
            Some(Value::text("zebra")),
            Some(Value::text("é")),
        ];
        for left in &values {
            for right in &values {
                let mut left_key = Vec::new();
                let mut right_key = Vec::new();
                sort_key(left.as_ref(), &mut left_key);
                sort_key(right.as_ref(), &mut right_key);
                assert_eq!(
                    left_key.cmp(&right_key),
                    compare_for_sort(left.as_ref(), right.as_ref()),
                    "{left:?} against {right:?}"
                );
            }
        }
    }
}
