"""Work queues, search and assignment: what a complaints team lists, finds and hands out (issue 15)."""
