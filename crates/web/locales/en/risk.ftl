# The case page's warning when a safety alert (PHQ-9 item 9) flagged the case; it follows
# "At risk:" (caseload-at-risk).
case-at-risk-banner = a safety alert was recorded for this client. Follow your agency's safety procedure and tell your supervisor.
