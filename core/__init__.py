"""Cross-cutting pieces every Yiwang package uses: settings and the root exceptions."""
