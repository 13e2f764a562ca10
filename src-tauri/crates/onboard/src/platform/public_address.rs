//! Whether an IP address is on the public internet (global unicast), and if not, what it is:
//! the guard in front of every connection to a host a stranger chose (a mail's remote images).
//! IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the
//! IPv4 address they reach.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What a refused address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPublic {
    /// 127.0.0.0/8, ::1.
    ThisComputer,
    /// 0.0.0.0/8 ("this network"), `::`; Linux dials 0.0.0.0 as this computer.
    Unspecified,
    /// RFC 1918 (10/8, 172.16/12, 192.168/16), unique-local fc00::/7, site-local fec0::/10.
    Private,
    /// 169.254/16 (where cloud metadata services answer), fe80::/10.
    LinkLocal,
    /// 100.64/10, the provider's side of a carrier-grade NAT.
    SharedNat,
    Multicast,
    /// 255.255.255.255.
    Broadcast,
    /// Documentation, benchmarking, IETF protocol and future-use ranges, and IPv6 outside
    /// 2000::/3: nothing public lives there.
    Reserved,
}

impl NotPublic {
    /// Whether the address reaches the user's own machine or network (not merely a range
    /// nobody routes).
    pub fn is_local(self) -> bool {
        !matches!(self, NotPublic::Reserved | NotPublic::Multicast)
    }
}

impl fmt::Display for NotPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotPublic::ThisComputer => "this computer",
            NotPublic::Unspecified => "the unspecified address, which is this computer",
            NotPublic::Private => "a private network",
            NotPublic::LinkLocal => "the link-local network, where cloud metadata services answer",
            NotPublic::SharedNat => "a carrier-grade NAT network",
            NotPublic::Multicast => "a multicast group",
            NotPublic::Broadcast => "the broadcast address",
            NotPublic::Reserved => "a reserved or documentation range",
        })
    }
}

/// `Ok` for a global unicast address; otherwise what it is.
pub fn check_public(ip: IpAddr) -> Result<(), NotPublic> {
    match ip {
        IpAddr::V4(v4) => check_v4(v4),
        IpAddr::V6(v6) => check_v6(v6),
    }
}

fn check_v4(ip: Ipv4Addr) -> Result<(), NotPublic> {
    use NotPublic::*;
    let why = match ip.octets() {
        [255, 255, 255, 255] => Broadcast,
        [0, ..] => Unspecified,
        [127, ..] => ThisComputer,
        [10, ..] | [172, 16..=31, ..] | [192, 168, ..] => Private,
        [169, 254, ..] => LinkLocal,
        [100, 64..=127, ..] => SharedNat,
        // IETF protocol assignments, TEST-NETs 1 to 3, the 6to4 relay, benchmarking.
        [192, 0, 0, _]
        | [192, 0, 2, _]
        | [198, 51, 100, _]
        | [203, 0, 113, _]
        | [192, 88, 99, _]
        | [198, 18..=19, ..] => Reserved,
        [224..=239, ..] => Multicast,
        [240..=255, ..] => Reserved,
        _ => return Ok(()),
    };
    Err(why)
}

fn check_v6(ip: Ipv6Addr) -> Result<(), NotPublic> {
    use NotPublic::*;
    let s = ip.segments();
    if ip.is_loopback() {
        return Err(ThisComputer);
    }
    if ip.is_unspecified() {
        return Err(Unspecified);
    }
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // ::ffff:a.b.c.d and 64:ff9b::a.b.c.d reach that IPv4 address.
    if (s[..5] == [0; 5] && s[5] == 0xffff) || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return check_v4(v4(s[6], s[7]));
    }
    // ::a.b.c.d (IPv4-compatible, deprecated): refused either way, named by what it embeds.
    if s[..6] == [0; 6] {
        return Err(check_v4(v4(s[6], s[7])).err().unwrap_or(Reserved));
    }
    // 6to4 reaches the IPv4 address in its prefix.
    if s[0] == 0x2002 {
        return check_v4(v4(s[1], s[2]));
    }
    let why = if s[0] >> 8 == 0xff {
        Multicast
    } else if s[0] & 0xfe00 == 0xfc00 || s[0] & 0xffc0 == 0xfec0 {
        Private
    } else if s[0] & 0xffc0 == 0xfe80 {
        LinkLocal
    } else if s[0] & 0xe000 != 0x2000
        // 2001::/23: IETF protocol assignments (Teredo, benchmarking, ORCHID).
        || (s[0] == 0x2001 && s[1] < 0x0200)
        // Documentation: 2001:db8::/32 and 3fff::/20.
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0] == 0x3fff && s[1] < 0x1000)
    {
        Reserved
    } else {
        return Ok(());
    };
    Err(why)
}

#[cfg(test)]
mod tests {
    use super::NotPublic::*;
    use super::*;

    fn judge(s: &str) -> Result<(), NotPublic> {
        check_public(s.parse().unwrap_or_else(|e| panic!("{s}: {e}")))
    }

    #[test]
    fn only_global_unicast_ipv4_is_public() {
        let table: &[(&str, Result<(), NotPublic>)] = &[
            ("8.8.8.8", Ok(())),
            ("1.1.1.1", Ok(())),
            ("93.184.215.14", Ok(())),
            ("172.15.255.255", Ok(())),
            ("172.32.0.1", Ok(())),
            ("100.63.255.255", Ok(())),
            ("100.128.0.1", Ok(())),
            ("169.253.1.1", Ok(())),
            ("223.255.255.255", Ok(())),
            ("127.0.0.1", Err(ThisComputer)),
            ("127.255.255.254", Err(ThisComputer)),
            ("0.0.0.0", Err(Unspecified)),
            ("0.1.2.3", Err(Unspecified)),
            ("10.0.0.5", Err(Private)),
            ("172.16.0.1", Err(Private)),
            ("172.31.255.255", Err(Private)),
            ("192.168.1.1", Err(Private)),
            ("169.254.169.254", Err(LinkLocal)),
            ("169.254.0.1", Err(LinkLocal)),
            ("100.64.0.1", Err(SharedNat)),
            ("100.127.255.255", Err(SharedNat)),
            ("192.0.0.8", Err(Reserved)),
            ("192.0.2.1", Err(Reserved)),
            ("198.51.100.7", Err(Reserved)),
            ("203.0.113.9", Err(Reserved)),
            ("192.88.99.1", Err(Reserved)),
            ("198.18.0.1", Err(Reserved)),
            ("198.19.255.255", Err(Reserved)),
            ("224.0.0.1", Err(Multicast)),
            ("239.255.255.250", Err(Multicast)),
            ("240.0.0.1", Err(Reserved)),
            ("255.255.255.254", Err(Reserved)),
            ("255.255.255.255", Err(Broadcast)),
        ];
        for (addr, want) in table {
            assert_eq!(judge(addr), *want, "{addr}");
        }
    }

    #[test]
    fn only_global_unicast_ipv6_is_public() {
        let table: &[(&str, Result<(), NotPublic>)] = &[
            ("2606:4700:4700::1111", Ok(())),
            ("2a00:1450:4001:80b::200e", Ok(())),
            ("2001:4860:4860::8888", Ok(())),
            ("::1", Err(ThisComputer)),
            ("::", Err(Unspecified)),
            ("fc00::1", Err(Private)),
            ("fd12:3456:789a::1", Err(Private)),
            ("fec0::1", Err(Private)),
            ("fe80::1", Err(LinkLocal)),
            ("febf::1", Err(LinkLocal)),
            ("ff02::1", Err(Multicast)),
            ("ff0e::1", Err(Multicast)),
            ("2001:db8::1", Err(Reserved)),
            ("3fff::1", Err(Reserved)),
            ("2001::1", Err(Reserved)),
            ("2001:2::1", Err(Reserved)),
            ("100::1", Err(Reserved)),
            ("64:ff9b:1::1", Err(Reserved)),
            ("::ffff:0:7f00:1", Err(Reserved)),
            ("4000::1", Err(Reserved)),
        ];
        for (addr, want) in table {
            assert_eq!(judge(addr), *want, "{addr}");
        }
    }

    #[test]
    fn ipv6_forms_of_an_ipv4_address_are_judged_by_it() {
        let table: &[(&str, Result<(), NotPublic>)] = &[
            // IPv4-mapped
            ("::ffff:127.0.0.1", Err(ThisComputer)),
            ("::ffff:7f00:1", Err(ThisComputer)),
            ("::ffff:10.0.0.5", Err(Private)),
            ("::ffff:192.168.0.1", Err(Private)),
            ("::ffff:169.254.169.254", Err(LinkLocal)),
            ("::ffff:100.64.0.1", Err(SharedNat)),
            ("::ffff:0.0.0.0", Err(Unspecified)),
            ("::ffff:8.8.8.8", Ok(())),
            // IPv4-compatible: deprecated, never public
            ("::127.0.0.1", Err(ThisComputer)),
            ("::10.0.0.1", Err(Private)),
            ("::8.8.8.8", Err(Reserved)),
            // NAT64
            ("64:ff9b::127.0.0.1", Err(ThisComputer)),
            ("64:ff9b::a9fe:a9fe", Err(LinkLocal)),
            ("64:ff9b::192.168.1.1", Err(Private)),
            ("64:ff9b::8.8.8.8", Ok(())),
            // 6to4
            ("2002:7f00:1::1", Err(ThisComputer)),
            ("2002:a00:5::1", Err(Private)),
            ("2002:c0a8:101::1", Err(Private)),
            ("2002:a9fe:a9fe::1", Err(LinkLocal)),
            ("2002:808:808::1", Ok(())),
        ];
        for (addr, want) in table {
            assert_eq!(judge(addr), *want, "{addr}");
        }
    }

    #[test]
    fn local_refusals_say_so() {
        assert!(ThisComputer.is_local() && Private.is_local() && LinkLocal.is_local());
        assert!(!Reserved.is_local() && !Multicast.is_local());
        assert!(LinkLocal.to_string().contains("metadata"));
    }
}
