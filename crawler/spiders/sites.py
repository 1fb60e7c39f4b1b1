"""One spider per site registered in crawler/sites/, named like the site."""

from crawler.sites import all_sites
from crawler.spiders.site import SiteSpider

for _site in all_sites():
    _cls = type(f"{_site.name.title().replace('-', '')}Spider", (SiteSpider,), {"name": _site.name, "site": _site, "__module__": __name__})
    globals()[_cls.__name__] = _cls
del _site, _cls
