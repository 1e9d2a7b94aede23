using FaqBot.Hosting;

var builder = FaqBotHost.CreateBuilder(args);
var root = builder.Environment.ContentRootPath;

builder.Services.AddConversation(builder.Configuration, root);

var app = builder.Build();

app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));

app.Run();

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
