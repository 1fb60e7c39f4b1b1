"""The Persian-language core every layer uses: text normalization
(text), publication times as Iranian sites write them (dates), and links as
pages write them (urls)."""
