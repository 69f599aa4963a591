# Seguimiento: servicios prestados, progreso hacia los objetivos, el hilo conductor.

monitoring-section = Seguimiento
monitoring-back-to-case = Volver al caso
monitoring-services-link = Servicios prestados
monitoring-thread-link = Dónde se rompe el hilo
monitoring-services-count = { $count ->
    [one] un servicio registrado
   *[other] { $count } servicios registrados
}
monitoring-breaks-count = { $count ->
    [0] el hilo está completo
    [one] una ruptura
   *[other] { $count } rupturas
}

service-title = Servicios prestados
service-list-heading = Servicios registrados
service-none = Todavía no se ha registrado ningún servicio.
service-older = Servicios anteriores
service-record = Registrar un servicio
service-record-title = Registro de servicio
service-back-to-list = Volver a los servicios
service-kind = Servicio
service-other-kind = Otro servicio
service-other-kind-hint = Indique cuál fue cuando el servicio es «Otro».
service-delivered-on = Fecha de prestación
service-provider = Proveedor
service-provider-name = Nombre del proveedor
service-provider-name-hint = Nombre al proveedor cuando es otra entidad u otra persona.
service-units = Cantidad
service-unit-name = Unidad
service-unit-name-hint = Por ejemplo: horas, sesiones, viajes, lotes.
service-amount = Cantidad
service-goal = Objetivo
service-intervention = Intervención
service-link-none = Ninguno
service-note = Nota
service-correct = Corregir este registro
service-mark-in-error = Marcar como registrado por error
service-mark-in-error-intro = Un registro nunca se borra. Al marcarlo como registrado por error se conserva, tachado, con su motivo.
service-error-reason = Motivo
service-entered-in-error = Registrado por error
service-notice-recorded = Se registró el servicio.
service-notice-corrected = Se corrigió el registro.
service-notice-entered-in-error = El registro se marcó como registrado por error.
service-kind-counselling = Orientación psicológica
service-kind-advocacy = Defensa de derechos
service-kind-case-management = Gestión de casos
service-kind-transport = Transporte
service-kind-financial-assistance = Ayuda económica
service-kind-food = Alimentos
service-kind-housing-support = Apoyo a la vivienda
service-kind-skills-training = Formación en habilidades
service-kind-other = Otro
service-provider-worker = La trabajadora o el trabajador del caso
service-provider-agency = Esta entidad
service-provider-other = Otro proveedor

progress-title = Progreso
progress-link = Progreso hacia este objetivo
progress-back-to-goal = Volver al objetivo
progress-measure = Medida
progress-baseline = Línea de base
progress-target = Meta
progress-entries = Registros de progreso
progress-none = Todavía no se ha registrado ningún progreso.
progress-chart-title = La medida a lo largo del tiempo
progress-chart-caption = Cada punto es un valor registrado; las líneas discontinuas son la línea de base y la meta. La tabla de abajo contiene los mismos valores.
progress-table = Registros de progreso, del más antiguo al más reciente
progress-recorded-on = Fecha
progress-value = Valor de la medida
progress-gas-level = Nivel de logro del objetivo
progress-level-none = Sin nivel
progress-level-0 = mucho menos de lo esperado
progress-level-1 = menos de lo esperado
progress-level-2 = lo esperado
progress-level-3 = más de lo esperado
progress-level-4 = mucho más de lo esperado
progress-comment = Comentario
progress-record = Registrar progreso
progress-one-of = Indique un valor de la medida o un nivel de logro, no ambos.
progress-draft-goal = Este objetivo todavía es un borrador: se podrá registrar progreso cuando esté activo.
progress-notice-recorded = Se registró el progreso.

thread-title = El hilo conductor
thread-intro = Cada necesidad evaluada debería llevar a un objetivo, cada objetivo activo a una intervención y a un progreso reciente, y cada intervención a algo realizado. Estos son los puntos donde el hilo se rompe.
thread-days = Días sin progreso
thread-days-hint = Se muestra cada objetivo activo sin registro de progreso en este número de días (de 1 a 365).
thread-show = Mostrar
monitoring-nothing-to-trace = nada que seguir todavía: no hay necesidades ni objetivos registrados
thread-untraced = Nada que seguir todavía: el caso no tiene necesidades evaluadas ni objetivos. El hilo empieza cuando una evaluación registra una necesidad.
thread-whole = El hilo está completo: no falta nada.
thread-need-without-goal = Necesidades sin objetivo
thread-goal-without-intervention = Objetivos activos sin intervención en el plan
thread-goal-without-recent-progress = Objetivos activos sin progreso reciente
thread-intervention-without-delivery = Intervenciones sin nada prestado ni realizado
thread-last-entry = último registro
thread-no-entry = sin registros todavía
thread-action-goal = Fijar un objetivo
thread-action-plan = Abrir el plan
thread-action-progress = Registrar progreso
thread-action-service = Registrar un servicio

error-units_invalid = La cantidad debe ser un número positivo (como máximo 10.000).
error-intervention_other_goal = Esa intervención pertenece a otro objetivo.
error-service_entered_in_error = Este registro se marcó como registrado por error y ya no se puede modificar.
error-progress_value_or_level = Indique un valor de la medida o un nivel de logro, no ambos.
error-number_invalid = Escriba un número.
error-goal_is_draft = Solo se puede registrar progreso en un objetivo que ya no es un borrador.
error-days_range = El número de días debe estar entre 1 y 365.
