# Only for scrapyd-deploy, which builds its egg through setup.py; the package
# itself is described in pyproject.toml.
from setuptools import setup

setup(entry_points={"scrapy": ["settings = crawler.settings"]})
