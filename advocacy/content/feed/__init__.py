"""The employee feed's HTTP face: its route, the page assembled from cached bytes, read-your-writes."""
