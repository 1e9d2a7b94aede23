using FaqBot.Channels.BotConnector;
using FaqBot.Channels.DirectLine;
using FaqBot.Hosting;

var builder = FaqBotHost.CreateBuilder(args);
var root = builder.Environment.ContentRootPath;

builder.Services.AddConversation(builder.Configuration, root);
builder.Services.AddDirectLine(builder.Configuration);
builder.Services.AddBotConnector(builder.Configuration);

var app = builder.Build();

app.UseDirectLineErrors();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseWebSockets();
app.UseRateLimiter();

app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
app.MapDirectLine();
app.MapBotConnector();

app.Run();

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
