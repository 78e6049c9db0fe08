using Lifeline.Server.App.Channels;
using Lifeline.Server.App.Maintenance;
using Lifeline.Server.App.Monitors;
using Lifeline.Server.App.StatusPages;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.App.Forms;

/// <summary>The app's small form posts: monitor, channel, maintenance and status page buttons.</summary>
public static class FormActions
{
    public static IEndpointRouteBuilder MapFormActions(this IEndpointRouteBuilder app) =>
        app.MapMonitorActions().MapChannelActions().MapMaintenanceActions().MapStatusPageActions();
}
