# After intake opens a case: the case is no longer theirs to see, so the client page would list
# no case without this notice.
client-notice-case-handed-over = The case was opened and handed over to the worker or team you chose. Only they see it from now on.
