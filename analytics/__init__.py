"""Analytics over many series and cases at once, in process or on Ray (issue 16)."""
