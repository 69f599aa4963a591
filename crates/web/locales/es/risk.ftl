# El aviso de la página del caso cuando una alerta de seguridad (ítem 9 del PHQ-9) marcó el caso;
# sigue a "En riesgo:" (caseload-at-risk).
case-at-risk-banner = se registró una alerta de seguridad para este cliente. Siga el procedimiento de seguridad de su agencia e informe a su supervisor.
