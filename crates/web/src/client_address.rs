//! The network address a request came from, for counting failed sign-ins per address. Behind a
//! reverse proxy every request arrives from the proxy, so one person's mistyped passwords would
//! lock everyone out; `--trusted-proxies` names the proxies whose `X-Forwarded-For` is believed.
//! Anyone else's header is ignored: it could be forged to dodge the throttle or to lock out
//! someone else's address.

use std::net::IpAddr;

/// Addresses and networks (`10.0.0.0/8`, `::1`) of the reverse proxies in front of the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    fn parse(raw: &str) -> Option<Network> {
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw, None),
        };
        let addr: IpAddr = addr.trim().parse().ok()?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Network { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl TrustedProxies {
    /// A comma-separated list; an empty list trusts no proxy.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Network::parse(s).ok_or_else(|| s.to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: the peer itself, or, when the peer is a trusted proxy, the
    /// right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries further
    /// left were written by the client and prove nothing).
    pub fn client_of<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl Iterator<Item = &'a str>,
    ) -> IpAddr {
        let chain: Vec<&str> = forwarded_for
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .collect();
        let mut addr = peer.to_canonical();
        for entry in chain.iter().rev() {
            if !self.trusts(addr) {
                break;
            }
            match entry.parse::<IpAddr>() {
                Ok(ip) => addr = ip.to_canonical(),
                Err(_) => break,
            }
        }
        addr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_of(ip("127.0.0.1"), ["203.0.113.9"].into_iter()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn a_trusted_proxy_passes_on_the_address_it_saw() {
        let p = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").expect("list");
        assert_eq!(
            p.client_of(ip("127.0.0.1"), ["203.0.113.9"].into_iter()),
            ip("203.0.113.9")
        );
        // Two proxies in a row, the client forging an entry on the left.
        assert_eq!(
            p.client_of(
                ip("10.1.2.3"),
                ["198.51.100.1, 203.0.113.9", "10.9.9.9"].into_iter()
            ),
            ip("203.0.113.9")
        );
        // An untrusted peer's header proves nothing.
        assert_eq!(
            p.client_of(ip("192.0.2.7"), ["203.0.113.9"].into_iter()),
            ip("192.0.2.7")
        );
        // Garbage stops the walk at the last address a trusted hop vouched for.
        assert_eq!(
            p.client_of(ip("127.0.0.1"), ["not-an-address"].into_iter()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn networks_match_by_prefix_in_both_families() {
        let p = TrustedProxies::parse("192.168.0.0/16, fd00::/8, ::1").expect("list");
        assert!(p.trusts(ip("192.168.44.1")));
        assert!(!p.trusts(ip("192.169.0.1")));
        assert!(p.trusts(ip("fd12::1")));
        assert!(p.trusts(ip("::1")));
        assert!(p.trusts(ip("::ffff:192.168.1.1")));
        assert!(!p.trusts(ip("fe80::1")));
        assert_eq!(
            TrustedProxies::parse("10.0.0.0/33"),
            Err("10.0.0.0/33".into())
        );
        assert_eq!(
            TrustedProxies::parse("proxy.local"),
            Err("proxy.local".into())
        );
        assert_eq!(TrustedProxies::parse(" "), Ok(TrustedProxies::default()));
    }
}
