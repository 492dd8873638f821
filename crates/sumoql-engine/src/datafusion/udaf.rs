//! `sumo_collect`: the aggregate functions whose result depends on row
//! order or on every value (`values`, `first`, `last`, `most_recent`,
//! `least_recent`, `pct`, `stddev`), run by the native engine's own code.
//!
//! Each group keeps its rows' values with their `__order`; partial states
//! from other partitions or executors are merged, and the final step sorts
//! the rows into the native engine's order and feeds them to the native
//! aggregate. That keeps every value of a group, as the native `values` and
//! `pct` do, and gives exactly the native results.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryArray, ListArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr::expressions::Literal;

use super::value::{value_type, ValueBuilder, Values};
use crate::aggregate::{AggregateFunction, AggregateKind};
use crate::expr::CompiledExpr;
use crate::operators::aggregates::ExtraAggregate;
use crate::row::{FieldTable, Row, RowContext};
use crate::value::Value;

#[derive(Debug, PartialEq, Eq, Hash)]
struct Collect {
    signature: Signature,
}

/// Returns the aggregate functions translated plans call.
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    vec![Arc::new(AggregateUDF::new_from_impl(Collect {
        signature: Signature::any(4, Volatility::Immutable),
    }))]
}

/// The spec `sumo_collect` takes for an aggregate function.
pub(crate) fn spec(function: ExtraAggregate) -> String {
    match function {
        ExtraAggregate::Values => "values".to_string(),
        ExtraAggregate::First => "first".to_string(),
        ExtraAggregate::Last => "last".to_string(),
        ExtraAggregate::MostRecent(_) => "most_recent".to_string(),
        ExtraAggregate::LeastRecent(_) => "least_recent".to_string(),
        ExtraAggregate::Percentile(percentile) => format!("pct {percentile}"),
        ExtraAggregate::StandardDeviation => "stddev".to_string(),
    }
}

/// Reads a spec back; the time of `most_recent` and `least_recent` is slot 1.
fn parse_spec(spec: &str) -> Result<ExtraAggregate> {
    let function = match spec {
        "values" => ExtraAggregate::Values,
        "first" => ExtraAggregate::First,
        "last" => ExtraAggregate::Last,
        "most_recent" => ExtraAggregate::MostRecent(1),
        "least_recent" => ExtraAggregate::LeastRecent(1),
        "stddev" => ExtraAggregate::StandardDeviation,
        other => match other
            .strip_prefix("pct ")
            .and_then(|percentile| percentile.parse().ok())
        {
            Some(percentile) => ExtraAggregate::Percentile(percentile),
            None => return exec_err!("unknown sumo_collect function {spec:?}"),
        },
    };
    Ok(function)
}

fn list_of(data_type: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(data_type, true)))
}

impl AggregateUDFImpl for Collect {
    fn name(&self) -> &str {
        "sumo_collect"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arguments: &[DataType]) -> Result<DataType> {
        Ok(value_type())
    }

    fn accumulator(&self, arguments: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let spec = arguments
            .exprs
            .first()
            .and_then(|expr| expr.downcast_ref::<Literal>())
            .map(|literal| literal.value().clone());
        let function = match spec {
            Some(ScalarValue::Utf8(Some(spec))) => parse_spec(&spec)?,
            other => return exec_err!("sumo_collect expects a literal spec, found {other:?}"),
        };
        Ok(Box::new(Collected {
            function,
            rows: Vec::new(),
        }))
    }

    fn state_fields(&self, arguments: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let name = arguments.name;
        Ok(vec![
            Arc::new(Field::new(
                format!("{name}_order"),
                list_of(DataType::Binary),
                true,
            )),
            Arc::new(Field::new(
                format!("{name}_value"),
                list_of(value_type()),
                true,
            )),
            Arc::new(Field::new(
                format!("{name}_time"),
                list_of(value_type()),
                true,
            )),
        ])
    }
}

/// One group's rows: order, value and time.
#[derive(Debug)]
struct Collected {
    function: ExtraAggregate,
    rows: Vec<(Vec<u8>, Option<Value>, Option<Value>)>,
}

impl Collected {
    fn add_rows(&mut self, orders: &ArrayRef, values: &ArrayRef, times: &ArrayRef) -> Result<()> {
        let Some(orders) = orders.as_binary_opt::<i32>() else {
            return exec_err!("sumo_collect expects orders as bytes");
        };
        let values = Values::new(values)?;
        let times = Values::new(times)?;
        for index in 0..orders.len() {
            self.rows.push((
                orders.value(index).to_vec(),
                values.get(index),
                times.get(index),
            ));
        }
        Ok(())
    }
}

fn single_list(array: ArrayRef) -> ScalarValue {
    let length = array.len();
    let field = Arc::new(Field::new_list_field(array.data_type().clone(), true));
    let list = ListArray::new(field, OffsetBuffer::from_lengths([length]), array, None);
    ScalarValue::List(Arc::new(list))
}

impl Accumulator for Collected {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [_, orders, values, times] = values else {
            return exec_err!("sumo_collect takes a spec, an order, a value and a time");
        };
        self.add_rows(orders, values, times)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [orders, values, times] = states else {
            return exec_err!("sumo_collect merges three lists");
        };
        let (orders, values, times) = (
            orders.as_list::<i32>(),
            values.as_list::<i32>(),
            times.as_list::<i32>(),
        );
        for index in 0..orders.len() {
            if orders.is_null(index) {
                continue;
            }
            let order = orders.value(index);
            self.add_rows(&order, &values.value(index), &times.value(index))?;
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let orders: BinaryArray = self.rows.iter().map(|row| Some(row.0.as_slice())).collect();
        let mut values = ValueBuilder::with_capacity(self.rows.len());
        let mut times = ValueBuilder::with_capacity(self.rows.len());
        for (_, value, time) in &self.rows {
            values.push(value.as_ref());
            times.push(time.as_ref());
        }
        Ok(vec![
            single_list(Arc::new(orders)),
            single_list(values.finish()),
            single_list(times.finish()),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.rows.sort_by(|left, right| left.0.cmp(&right.0));
        let function = AggregateFunction {
            kind: AggregateKind::Extra(self.function),
            argument: Some(CompiledExpr::Field(0)),
        };
        let fields = FieldTable::default();
        let context = RowContext {
            record: None,
            fields: &fields,
            time_range: None,
        };
        let mut state = function.start();
        for (_, value, time) in &self.rows {
            let mut row = Row::empty(2);
            row.set(0, value.clone());
            row.set(1, time.clone());
            function.add(&mut state, &mut row, &context);
        }
        let mut result = ValueBuilder::with_capacity(1);
        result.push(function.result(&state).as_ref());
        ScalarValue::try_from_array(&result.finish(), 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.rows.capacity() * std::mem::size_of::<(Vec<u8>, Option<Value>, Option<Value>)>()
            + self.rows.iter().map(|row| row.0.len()).sum::<usize>()
    }
}
