//! Byte sizes written the way people write them: `1GiB`, `256MiB`, `10MB`, `4096`.

/// Parses a size in bytes. A plain number is bytes. `KB`, `MB`, `GB` and `TB` are powers
/// of 1000, and `KiB`, `MiB`, `GiB` and `TiB` powers of 1024. Units are case-insensitive,
/// and a fraction such as `1.5GiB` is allowed.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let unit_start = trimmed
        .find(|character: char| !(character.is_ascii_digit() || character == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(unit_start);

    let invalid = || {
        format!("invalid size `{text}`: expected a number of bytes with an optional unit, such as 4096, 10MB or 1GiB")
    };
    let number: f64 = number.parse().map_err(|_| invalid())?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000u64.pow(2),
        "gb" => 1000u64.pow(3),
        "tb" => 1000u64.pow(4),
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return Err(invalid()),
    };
    Ok((number * multiplier as f64).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("256MiB"), Ok(256 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1gib"), Ok(1 << 30));
        assert_eq!(parse_size("1.5KiB"), Ok(1536));
    }

    #[test]
    fn invalid_sizes() {
        assert!(parse_size("").is_err());
        assert!(parse_size("GiB").is_err());
        assert!(parse_size("1 parsec").is_err());
        assert!(parse_size("1.2.3MB").is_err());
    }
}
