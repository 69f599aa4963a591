# Tareas, recordatorios, listas de vencidas, la cola de supervisión y las tareas predeterminadas de los programas.
nav-tasks = Mis tareas
nav-queue = Pendientes de supervisión
caseload-overdue = { $count ->
    [0] Tareas vencidas: ninguna
    [one] Tareas vencidas: 1
   *[other] Tareas vencidas: { $count }
}

tasks-mine-title = Mis tareas
tasks-mine-intro = Tus tareas abiertas de tus casos y planes: primero las vencidas, luego las próximas (ya llegó el recordatorio) y después las demás.
tasks-mine-heading = Tareas abiertas
tasks-mine-empty = No tienes tareas abiertas.
tasks-more = Más
tasks-team-overdue-heading = Tareas vencidas de tu equipo
tasks-team-overdue-empty = Nadie de tu equipo tiene tareas vencidas.
tasks-case-title = Tareas
tasks-case-link = Tareas de este caso
tasks-case-empty = Este caso aún no tiene tareas.

task-title = Tarea
task-description = Detalles
task-due-on = Vence el
task-assignee = La hace
task-assignee-default = El profesional del caso
task-remind-days = Recordar con estos días de antelación (en blanco: sin recordatorio)
task-status = Estado
task-urgency = Cuándo
task-kind = Tipo
task-client = Persona atendida
task-unassigned = Sin asignar
task-add = Añadir una tarea
task-edit = Modificar la tarea
task-save = Guardar la tarea
task-mark-done = Marcar como hecha
task-cancel = Cancelar la tarea
task-cancel-reason = Por qué se cancela
task-back-to-case = Volver al caso
task-back-to-tasks = Todas las tareas del caso
task-created = Se añadió la tarea.
task-saved = Se guardó la tarea.
task-marked-done = La tarea está hecha.
task-marked-cancelled = Se canceló la tarea.
task-status-open = Abierta
task-status-done = Hecha
task-status-cancelled = Cancelada
task-urgency-overdue = Vencida
task-urgency-due-soon = Vence pronto
task-urgency-later = Más adelante
task-kind-case-task = Tarea del caso
task-kind-plan-task = Tarea del plan
task-kind-follow-up = Seguimiento
task-follow-up-title = Contacto de seguimiento, { $days } días después del cierre

queue-title = Pendientes de supervisión
queue-intro = Lo que espera tu decisión en los casos de tu equipo, de lo más antiguo a lo más reciente.
queue-empty = No tienes nada pendiente.
queue-since = Esperando desde
queue-worker = Profesional del caso
queue-by = Hecho por
queue-stage-move = Cambio de etapa
queue-detail = Detalles
queue-open = Abrir donde se decide
queue-kind-plan-approval = Plan por aprobar
queue-kind-guard-override = Cambio de etapa sin sus requisitos, por revisar
queue-kind-safety-alert = Alerta de seguridad
queue-kind-closure-approval = Cierre por aprobar
queue-kind-break-glass = Acceso de emergencia por revisar
queue-review = Marcar como revisada
queue-review-comment = Comentario (opcional)
queue-acknowledge = Dar por recibida la alerta
queue-ack-comment = Qué se hizo (obligatorio)
queue-reviewed = La excepción quedó marcada como revisada.
queue-acknowledged = La alerta de seguridad quedó recibida.

templates-title = Tareas predeterminadas
templates-link = Tareas predeterminadas
templates-back = Volver a los programas
templates-intro = Cuando un caso de este programa entra en una etapa, cada tarea predeterminada de esa etapa se convierte en una tarea del caso, con vencimiento a los días indicados, para el profesional del caso.
templates-none = Este programa no tiene tareas predeterminadas.
template-stage = Se crea cuando el caso entra en
template-due-days = Vence a los días siguientes
template-add = Añadir una tarea predeterminada
template-retire = Retirar
template-added = Se añadió la tarea predeterminada.
template-retired = Se retiró la tarea predeterminada; las tareas que ya creó se mantienen.

error-number_format = Escribe un número entero.
error-task_closed = Esta tarea ya está hecha o cancelada.
error-already_reviewed = Esta excepción ya fue revisada.
error-already_acknowledged = Esta alerta de seguridad ya fue recibida.
