"""Name resolution for the tests' `scrapy` processes, so that a name that
never resolves needs no DNS server: a name under .invalid (RFC 6761) fails
at once, as Twisted's resolver fails a name the system does not know, and
never leaves the machine; any other name (127.0.0.1) is resolved by Scrapy's
default resolver. From there on the failure takes the path of a real failed
lookup: Twisted's endpoint finds no address (DNSLookupError), Scrapy wraps
it (CannotResolveHostError), crawler.ops.faults names it."""

from __future__ import annotations

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

# For a `scrapy` command run from the project directory, where `tests` is a
# (namespace) package.
OFFLINE_DNS = ("-s", "TWISTED_DNS_RESOLVER=tests.offlinedns.OfflineResolver")


class OfflineResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout=()):
        if name.lower().rstrip(".").endswith(".invalid"):
            # What twisted.internet.base.ThreadedResolver gives when gethostbyname() does not know the name.
            return defer.fail(DNSLookupError(f"address {name!r} not found: [Errno -2] Name or service not known"))
        return super().getHostByName(name, timeout)
