using FaqBot.Commands;
using FaqBot.Hosting;
using FaqBot.Staff;

// "faqbot staff add ..." and other commands run against the same services, without the web server.
var command = CommandLine.TryGet(args, out var found) ? found : null;
var builder = FaqBotHost.CreateBuilder(command is null ? args : []);
var root = builder.Environment.ContentRootPath;

builder.Services.AddProblemDetailsDialect();
builder.Services.AddConversation(builder.Configuration, root);
builder.Services.AddStaff(builder.Configuration);

if (command is not null)
{
    return await command.RunAsync(builder);
}

var app = builder.Build();

app.UseProblemDetailsDialect();
app.UseStaticFiles();

app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
app.MapStaff();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
