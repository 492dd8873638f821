//! IP address functions: validity, private, public and reserved ranges, and
//! the CIDR helpers. Sumo documents each on its operator page (`isvalidip`,
//! `isprivateip`, `ispublicip`, `isreservedip`, `cidr`, `ipv4tonumber`);
//! all but `isValidIP` and `isValidIPv6` take IPv4 only.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Reads dotted-quad IPv4 text strictly: four decimal parts of 0 to 255,
/// so `"127.0.500.1"` is not an address (Sumo doc, isValidIP).
pub(crate) fn ipv4(text: &str) -> Option<Ipv4Addr> {
    text.parse().ok()
}

pub(crate) fn is_ipv6(text: &str) -> bool {
    text.parse::<Ipv6Addr>().is_ok()
}

/// The RFC 1918 ranges. Sumo's examples: `10.255.255.255` and `192.168.0.1`
/// are private, `127.0.0.1` is not.
pub(crate) fn is_private(address: Ipv4Addr) -> bool {
    address.is_private()
}

/// The special-use ranges of RFC 5735, which Sumo names for `isReservedIP`.
const RESERVED: [(u32, u32); 15] = [
    (0x0000_0000, 8),  // 0.0.0.0/8
    (0x0A00_0000, 8),  // 10.0.0.0/8
    (0x7F00_0000, 8),  // 127.0.0.0/8
    (0xA9FE_0000, 16), // 169.254.0.0/16
    (0xAC10_0000, 12), // 172.16.0.0/12
    (0xC000_0000, 24), // 192.0.0.0/24
    (0xC000_0200, 24), // 192.0.2.0/24
    (0xC058_6300, 24), // 192.88.99.0/24
    (0xC0A8_0000, 16), // 192.168.0.0/16
    (0xC612_0000, 15), // 198.18.0.0/15
    (0xC633_6400, 24), // 198.51.100.0/24
    (0xCB00_7100, 24), // 203.0.113.0/24
    (0xE000_0000, 4),  // 224.0.0.0/4
    (0xF000_0000, 4),  // 240.0.0.0/4
    (0xFFFF_FFFF, 32), // 255.255.255.255/32
];

pub(crate) fn is_reserved(address: Ipv4Addr) -> bool {
    let number = u32::from(address);
    RESERVED
        .iter()
        .any(|(network, length)| number & mask(*length) == *network)
}

/// Sumo does not list the ranges `isPublicIP` excludes; sumoql takes a
/// public address to be one outside every RFC 5735 range, which include
/// the private ones.
pub(crate) fn is_public(address: Ipv4Addr) -> bool {
    !is_reserved(address)
}

/// The network mask of a prefix length from 0 to 32.
pub(crate) fn mask(length: u32) -> u32 {
    match length {
        0 => 0,
        length => u32::MAX << (32 - length.min(32)),
    }
}

/// Reads a prefix length, which Sumo passes as text (`"27"`) or a number.
pub(crate) fn prefix_length(number: f64) -> Option<u32> {
    (number.fract() == 0.0 && (0.0..=32.0).contains(&number)).then_some(number as u32)
}

pub(crate) fn network(address: Ipv4Addr, length: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(address) & mask(length))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> Ipv4Addr {
        ipv4(text).unwrap()
    }

    #[test]
    fn validity_follows_the_documented_examples() {
        assert!(ipv4("10.255.255.255").is_some());
        assert!(ipv4("127.0.500.1").is_none());
        assert!(ipv4("1.2.3").is_none());
        assert!(ipv4(" 1.2.3.4").is_none());
        assert!(is_ipv6("2001:db8::ff00:42:8329"));
        assert!(!is_ipv6("10.0.0.1"));
    }

    #[test]
    fn private_public_and_reserved() {
        assert!(is_private(address("10.255.255.255")));
        assert!(is_private(address("192.168.0.1")));
        assert!(is_private(address("172.31.0.1")));
        assert!(!is_private(address("172.32.0.1")));
        assert!(!is_private(address("127.0.0.1")));
        assert!(is_reserved(address("127.0.0.0")));
        assert!(is_reserved(address("169.254.0.0")));
        assert!(is_reserved(address("192.0.0.0")));
        assert!(!is_reserved(address("8.8.8.8")));
        assert!(!is_public(address("10.255.255.255")));
        assert!(is_public(address("8.8.8.8")));
    }

    #[test]
    fn cidr_prefixes() {
        assert_eq!(network(address("10.10.1.35"), 24), address("10.10.1.0"));
        assert_eq!(network(address("10.10.1.35"), 27), address("10.10.1.32"));
        assert_eq!(network(address("10.10.1.35"), 29), address("10.10.1.32"));
        assert_eq!(network(address("10.10.1.35"), 0), address("0.0.0.0"));
        assert_eq!(Ipv4Addr::from(mask(30)), address("255.255.255.252"));
        assert_eq!(prefix_length(33.0), None);
    }
}
