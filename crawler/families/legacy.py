"""Article paths of older Iranian news CMSs that pages still link and sites
still answer (by a redirect to the article's current address), shared by the
Iranian CMS families, whose sites moved off them."""

import re

# /fa/main/detail/<code>/<slug>, also written /fa/Main/Detail/...
MAIN_DETAIL = re.compile(r"^/fa/main/detail/(?P<code>\d+)(?:/[^/]*)?/?$", re.IGNORECASE)
MAIN_DETAIL_SHAPE = "/fa/main/detail/<code>/<slug>"
